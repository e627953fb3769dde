using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IdentiGuard.Detection;

/// <summary>Per-tenant streaming detector: events in, findings out. Not thread-safe: feed one tenant from one thread.
/// Windows use event time (<c>published</c>); the injected clock is only used by <see cref="Flush()"/>.</summary>
public sealed class TenantDetector
{
    private static readonly IReadOnlyList<Finding> None = Array.Empty<Finding>();

    private readonly RulePack _pack;
    private readonly DetectionSettings _settings;
    private readonly TimeProvider _time;
    private readonly IFirstSeenStore _firstSeen;
    private readonly Dictionary<string, ActiveBase[]> _index = new(StringComparer.OrdinalIgnoreCase);
    private readonly ActiveBase[] _unindexed;
    private readonly List<CorrState> _corrs = [];
    private readonly HashSet<(string Uuid, DateTime T)> _seen = [];
    private readonly Queue<(string Uuid, DateTime T)> _seenOrder = new();
    private readonly PriorityQueue<(CorrState Corr, string Group, string Uuid), long> _absenceDeadlines = new();
    private readonly Dictionary<(string RuleId, string Group), DateTime> _dedup = new();
    private readonly TimeSpan _retention;
    private DateTime _watermark = DateTime.MinValue;
    private long _observed;

    public TenantDetector(RulePack pack, DetectionSettings settings, TimeProvider time, IFirstSeenStore? firstSeen = null)
    {
        _pack = pack;
        _settings = settings ?? DetectionSettings.Default;
        _time = time;
        _firstSeen = firstSeen ?? new InMemoryFirstSeenStore();
        _retention = pack.LongestWindow > TimeSpan.FromHours(1) ? pack.LongestWindow : TimeSpan.FromHours(1);

        var compiled = new Dictionary<string, CompiledRule>(StringComparer.Ordinal);
        var enabled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in pack.Compiled)
        {
            var def = c.Def;
            var values = ParamValues(def, out bool configured);
            compiled[def.Id] = values.Count == 0 ? c : RuleCompiler.Compile(def, values);
            if (IsEnabled(def, configured)) enabled.Add(def.Id);
        }

        var bases = new Dictionary<string, ActiveBase>(StringComparer.Ordinal);
        ActiveBase GetBase(string id) => bases.TryGetValue(id, out var b) ? b : bases[id] = new ActiveBase(compiled[id]);
        foreach (var def in pack.Defs)
        {
            if (!enabled.Contains(def.Id)) continue;
            if (def.Correlation is { } corr)
            {
                var cs = new CorrState(compiled[def.Id], corr);
                _corrs.Add(cs);
                for (int i = 0; i < def.ConsumedRuleIds.Count; i++)
                    GetBase(def.ConsumedRuleIds[i]).Consumers.Add((cs, i));
            }
            else if (def.EmitsAlerts) GetBase(def.Id).Emit = true;
        }
        var unindexed = new List<ActiveBase>();
        var byType = new Dictionary<string, List<ActiveBase>>(StringComparer.OrdinalIgnoreCase);
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pack.Defs.Count; i++) order[pack.Defs[i].Id] = i;
        foreach (var b in bases.Values.OrderBy(b => order[b.Rule.Id]))
        {
            if (b.Rule.EventTypes is { } types)
                foreach (var t in types)
                    (byType.TryGetValue(t, out var l) ? l : byType[t] = []).Add(b);
            else unindexed.Add(b);
        }
        foreach (var (t, l) in byType) _index[t] = [.. l];
        _unindexed = [.. unindexed];
        ActiveRuleIds = enabled;
    }

    /// <summary>Diagnostics: when set, accumulates Stopwatch ticks spent per correlation rule.</summary>
    internal static Dictionary<string, long>? Profile;

    /// <summary>Ids of the rules this detector runs (after settings).</summary>
    public IReadOnlySet<string> ActiveRuleIds { get; }

    /// <summary>Highest event time seen.</summary>
    public DateTime Watermark => _watermark;

    /// <summary>Number of buffered correlation entries (for memory monitoring).</summary>
    public int BufferedEntries => _corrs.Sum(c => c.BufferedEntries);

    public IFirstSeenStore FirstSeenStore => _firstSeen;

    private Dictionary<string, string[]?> ParamValues(RuleDef def, out bool allRequiredConfigured)
    {
        var result = new Dictionary<string, string[]?>(StringComparer.Ordinal);
        allRequiredConfigured = true;
        IReadOnlyDictionary<string, string>? configured = null;
        _settings.Parameters?.TryGetValue(def.Id, out configured);
        foreach (var (name, p) in def.Parameters)
        {
            if (configured is not null && configured.TryGetValue(name, out var text) && text is not null)
                result[name] = p.IsList || text.TrimStart().StartsWith('[') ? SplitList(text) : [text];
            else if (p.Default is null) allRequiredConfigured = false;
        }
        return result;
    }

    internal static string[] SplitList(string text)
    {
        var t = text.Trim();
        if (t.StartsWith('['))
        {
            try
            {
                using var doc = JsonDocument.Parse(t);
                return doc.RootElement.EnumerateArray().Select(e => JsonPath.Text(e) ?? "").ToArray();
            }
            catch (JsonException) { t = t.Trim('[', ']'); }
        }
        return t.Split(',').Select(s => s.Trim().Trim('\'', '"')).Where(s => s.Length > 0).ToArray();
    }

    private bool IsEnabled(RuleDef def, bool configured)
    {
        if (_settings.DisabledRules?.Contains(def.Id) == true) return false;
        if (_settings.RunDisabledRules) return true;
        bool on = def.EnabledByDefault || _settings.EnabledOverrides?.Contains(def.Id) == true;
        return on && configured;
    }

    /// <summary>Runs one event through every active rule. Duplicates (same uuid and publish time, as a redelivery) are ignored.</summary>
    public IReadOnlyList<Finding> Observe(OktaEvent e)
    {
        if (!_seen.Add((e.Uuid, e.Published))) return None;
        _seenOrder.Enqueue((e.Uuid, e.Published));
        if (e.Published > _watermark) _watermark = e.Published;
        List<Finding>? findings = null;

        if (_index.TryGetValue(e.EventType, out var candidates))
            foreach (var b in candidates) Evaluate(b, e, ref findings);
        foreach (var b in _unindexed) Evaluate(b, e, ref findings);

        SweepDeadlines(_watermark, ref findings);
        if ((_observed & 255) == 0)
            foreach (var c in _corrs)
                if (c.ClosesWindows) c.SweepClosedWindows(this, _watermark, ref findings);
        if ((++_observed & 1023) == 0)
        {
            var t2 = System.Diagnostics.Stopwatch.GetTimestamp();
            Evict();
            if (Profile is not null) Profile["evict"] = Profile.GetValueOrDefault("evict") + System.Diagnostics.Stopwatch.GetTimestamp() - t2;
        }
        return findings ?? None;
    }

    /// <summary>Fires time-outs (absence, lt/lte counts) whose window ended before <paramref name="upTo"/> (event time).
    /// Use <see cref="DateTime.MaxValue"/> at the end of a finite input.</summary>
    public IReadOnlyList<Finding> Flush(DateTime upTo)
    {
        List<Finding>? findings = null;
        SweepDeadlines(upTo, ref findings);
        foreach (var c in _corrs) c.SweepClosedWindows(this, upTo, ref findings);
        return findings ?? None;
    }

    /// <summary>Flushes up to the injected clock's current time.</summary>
    public IReadOnlyList<Finding> Flush() => Flush(_time.GetUtcNow().UtcDateTime);

    public IReadOnlyList<FirstSeenEntry> ExportFirstSeen() => (_firstSeen as InMemoryFirstSeenStore)?.Export() ?? [];

    public void ImportFirstSeen(IEnumerable<FirstSeenEntry> entries)
    {
        if (_firstSeen is InMemoryFirstSeenStore m) m.Import(entries);
        else foreach (var x in entries) _firstSeen.Put(x);
    }

    private void Evaluate(ActiveBase b, OktaEvent e, ref List<Finding>? findings)
    {
        if (Profile is not null)
        {
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            bool m = b.Rule.Matches(e);
            Profile["match:" + b.Rule.Id] = Profile.GetValueOrDefault("match:" + b.Rule.Id) + System.Diagnostics.Stopwatch.GetTimestamp() - t0;
            if (!m) return;
        }
        else if (!b.Rule.Matches(e)) return;
        if (b.Emit)
        {
            var group = GroupKeyFor(b.Rule, e);
            var dedupExtra = b.Rule.Def.Dedup > TimeSpan.Zero ? "" : e.Uuid;
            if (IsSuppressed(b.Rule.Def, group, e.Published)) goto consumers;
            var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
            Emit(b.Rule, group, [e.Uuid], e.Published, e.Published, b.Rule.SeverityFor(e), b.Rule.ExplainMatch(e), dedupExtra, ref findings);
            if (Profile is not null) Profile["emit-base"] = Profile.GetValueOrDefault("emit-base") + System.Diagnostics.Stopwatch.GetTimestamp() - t1;
        }
    consumers:
        foreach (var (corr, idx) in b.Consumers)
        {
            if (Profile is null) corr.Process(this, b.Rule, idx, e, ref findings);
            else
            {
                var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                corr.Process(this, b.Rule, idx, e, ref findings);
                var key = corr.Rule.Id;
                Profile[key] = Profile.GetValueOrDefault(key) + System.Diagnostics.Stopwatch.GetTimestamp() - t0;
            }
        }
    }

    private OktaEvent? _groupKeyEvent;
    private readonly Dictionary<string, string> _groupKeyCache = new(StringComparer.Ordinal);

    /// <summary>Group key with a per-event cache (many rules group by the same fields).</summary>
    internal string GroupKeyFor(CompiledRule rule, OktaEvent e)
    {
        if (!ReferenceEquals(_groupKeyEvent, e))
        {
            _groupKeyCache.Clear();
            _groupKeyEvent = e;
        }
        if (_groupKeyCache.TryGetValue(rule.GroupBySig, out var key)) return key;
        key = GroupKey(rule, e);
        _groupKeyCache[rule.GroupBySig] = key;
        return key;
    }

    internal static string GroupKey(CompiledRule rule, OktaEvent e)
    {
        var paths = rule.GroupByPaths;
        if (paths.Length == 0) return "";
        var names = rule.Def.Correlation?.GroupBy ?? rule.Def.GroupBy;
        // One allocation per key: this runs for most matching events.
        var key = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        for (int i = 0; i < paths.Length; i++)
        {
            if (i > 0) key.AppendLiteral(",");
            key.AppendLiteral(names[i]);
            key.AppendLiteral("=");
            key.AppendLiteral(JsonPath.FirstText(e, paths[i]) ?? "");
        }
        return key.ToStringAndClear();
    }

    private bool IsSuppressed(RuleDef def, string group, DateTime first)
        => def.Dedup > TimeSpan.Zero && _dedup.TryGetValue((def.Id, group), out var anchor) && (first - anchor).Duration() < def.Dedup;

    internal void Emit(CompiledRule rule, string group, IReadOnlyList<string> eventIds, DateTime first, DateTime last,
        Severity severity, string explanation, string dedupExtra, ref List<Finding>? findings)
    {
        var def = rule.Def;
        if (def.Dedup > TimeSpan.Zero)
        {
            var key = (def.Id, group);
            if (_dedup.TryGetValue(key, out var anchor) && (first - anchor).Duration() < def.Dedup) return;
            _dedup[key] = first;
        }
        var dedupKey = def.Id + ":" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            group + "\u001f" + first.Ticks.ToString(CultureInfo.InvariantCulture) + "\u001f" + dedupExtra)))[..32].ToLowerInvariant();
        (findings ??= []).Add(new Finding(def.Id, def.Title, severity, def.References, def.Tactics, def.Techniques,
            eventIds, first, last, group, dedupKey, explanation));
    }

    private void SweepDeadlines(DateTime upTo, ref List<Finding>? findings)
    {
        while (_absenceDeadlines.TryPeek(out var item, out var deadline) && deadline < upTo.Ticks)
        {
            _absenceDeadlines.Dequeue();
            item.Corr.AbsenceTimeout(this, item.Group, item.Uuid, ref findings);
        }
    }

    internal void ScheduleAbsence(CorrState c, string group, string uuid, DateTime deadline)
        => _absenceDeadlines.Enqueue((c, group, uuid), deadline.Ticks);

    internal IFirstSeenStore Store => _firstSeen;
    internal DetectionSettings Settings => _settings;
    internal DateTime CurrentWatermark => _watermark;

    private void Evict()
    {
        var horizon = _watermark - _retention;
        foreach (var c in _corrs) c.Evict(horizon, _settings.MaxGroupsPerRule);
        var dedupHorizon = _watermark;
        List<(string, string)>? deadDedup = null;
        foreach (var ((id, g), anchor) in _dedup)
        {
            var win = _pack.ById[id].Def.Dedup;
            if (anchor + win < dedupHorizon - TimeSpan.FromHours(1)) (deadDedup ??= []).Add((id, g));
        }
        if (deadDedup is not null) foreach (var k in deadDedup) _dedup.Remove(k);
        if ((_observed & 65535) == 0 && _firstSeen is InMemoryFirstSeenStore mem)
        {
            var history = _corrs.Where(c => c.Def.Type == "first_seen").Select(c => c.Def.History).DefaultIfEmpty(TimeSpan.Zero).Max();
            if (_watermark - DateTime.MinValue > history) mem.Prune(_watermark - history);
        }
        var seenHorizon = _watermark - (_retention > TimeSpan.FromDays(1) ? _retention : TimeSpan.FromDays(1));
        while (_seenOrder.TryPeek(out var head) && (head.T < seenHorizon || _seenOrder.Count > _settings.MaxSeenUuids))
        {
            _seenOrder.Dequeue();
            _seen.Remove(head);
        }
    }

    private sealed class ActiveBase(CompiledRule rule)
    {
        public CompiledRule Rule { get; } = rule;
        public bool Emit { get; set; }
        public List<(CorrState Corr, int Index)> Consumers { get; } = [];
    }
}
