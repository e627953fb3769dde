using System.Globalization;
using System.Text.Json;

namespace IdentiGuard.Detection;

internal struct Entry
{
    public DateTime T;
    public string Uuid;
    public int RuleIdx;
    public string? Value;
    public Severity Sev;
    public double Lat, Lon;
    public string? Ip;
}

internal sealed class Group
{
    public List<Entry> Entries { get; } = [];
    public List<DateTime> Others { get; } = []; // absence: B times
    public DateTime LastUpdate { get; set; }
    // value_count sliding-window state for in-order appends
    public int Lo;
    public Dictionary<string, int>? Counts;
    public bool Dirty = true;
    public List<Entry>[]? ByIdx;

    /// <summary>Inserts in event-time order; returns true when appended at the end (in-order).</summary>
    public bool Insert(Entry e, int cap)
    {
        bool append = Entries.Count == 0 || Entries[^1].T <= e.T;
        if (append) Entries.Add(e);
        else
        {
            int i = Entries.Count;
            while (i > 0 && Entries[i - 1].T > e.T) i--;
            Entries.Insert(i, e);
            Dirty = true;
        }
        if (Entries.Count > cap)
        {
            Entries.RemoveRange(0, Entries.Count - Math.Max(1, cap * 9 / 10));
            Dirty = true;
        }
        return append;
    }

    public int LowerBound(DateTime t)
    {
        int lo = 0, hi = Entries.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (Entries[mid].T < t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    public void RemoveRange(int index, int count)
    {
        Entries.RemoveRange(index, count);
        Dirty = true;
    }
}

/// <summary>Runtime state of one correlation rule for one tenant.</summary>
internal sealed class CorrState(CompiledRule rule, CorrelationDef def)
{
    // Markers stored beside real values in the first-seen history: a control character no Okta field carries. Not NUL,
    // which PostgreSQL's text type refuses.
    private const string EntityMarker = "\u001eentity";
    private const string LearningMarker = "\u001elearning";
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly string[]? _valueField = def.ConditionField is { } f ? JsonPath.Split(f) : null;
    private readonly string[][] _fields = def.Fields.Select(JsonPath.Split).ToArray();

    private (int? Min, int? Max)? _boundsCache;
    private (int? Min, int? Max) _bounds => _boundsCache ??= Bounds();

    public CompiledRule Rule { get; } = rule;

    /// <summary>lt/lte-only count conditions: evaluated when windows close.</summary>
    public bool ClosesWindows => Def.Type is "event_count" or "value_count" && _bounds.Min is null && _bounds.Max is not null;
    public CorrelationDef Def { get; } = def;
    public int BufferedEntries => _groups.Values.Sum(g => g.Entries.Count + g.Others.Count + (g.ByIdx?.Sum(l => l.Count) ?? 0));

    private (int? Min, int? Max) Bounds()
    {
        int? min = null, max = null;
        foreach (var (op, v) in Def.Condition)
        {
            switch (op)
            {
                case "gt": min = (int)Math.Floor(v) + 1; break;
                case "gte": min = (int)Math.Ceiling(v); break;
                case "eq": min = (int)v; max = (int)v; break;
                case "lt": max = (int)Math.Ceiling(v) - 1; break;
                case "lte": max = (int)Math.Floor(v); break;
            }
        }
        return (min, max);
    }

    private Group GetGroup(string key, DateTime t)
    {
        if (!_groups.TryGetValue(key, out var g)) _groups[key] = g = new Group();
        if (t > g.LastUpdate) g.LastUpdate = t;
        return g;
    }

    private string CondText()
    {
        static string Sym(string op) => op switch { "gt" => ">", "gte" => "≥", "lt" => "<", "lte" => "≤", _ => "=" };
        return string.Join(" and ", Def.Condition.Select(kv => Sym(kv.Key) + " " + kv.Value.ToString(CultureInfo.InvariantCulture)));
    }

    private static string Span(TimeSpan ts) =>
        ts.TotalDays >= 1 && ts.TotalDays == Math.Floor(ts.TotalDays) ? $"{ts.TotalDays}d"
        : ts.TotalHours >= 1 && ts.TotalHours == Math.Floor(ts.TotalHours) ? $"{ts.TotalHours}h"
        : ts.TotalMinutes >= 1 && ts.TotalMinutes == Math.Floor(ts.TotalMinutes) ? $"{ts.TotalMinutes}m"
        : $"{ts.TotalSeconds}s";

    public void Process(TenantDetector d, CompiledRule baseRule, int idx, OktaEvent e, ref List<Finding>? findings)
    {
        var groupKey = d.GroupKeyFor(Rule, e);
        var cap = d.Settings.MaxEventsPerGroup;
        switch (Def.Type)
        {
            case "event_count":
            case "value_count":
                {
                    string? value = null;
                    if (_valueField is not null)
                    {
                        value = JsonPath.FirstText(e, _valueField);
                        if (value is null) return;
                        value = value.ToLowerInvariant();
                    }
                    var g = GetGroup(groupKey, e.Published);
                    bool inOrder = g.Insert(new Entry { T = e.Published, Uuid = e.Uuid, RuleIdx = idx, Value = value }, cap);
                    var (min, max) = _bounds;
                    if (min is null) return; // lt/lte: evaluated when windows close
                    TryCount(d, g, inOrder, groupKey, e, baseRule, min.Value, max, ref findings);
                    break;
                }
            case "temporal":
            case "temporal_ordered":
                {
                    var g = GetGroup(groupKey, e.Published);
                    TryTemporal(d, g, new Entry { T = e.Published, Uuid = e.Uuid, RuleIdx = idx }, cap, groupKey, e, baseRule, ref findings);
                    break;
                }
            case "repeat_until_success":
                {
                    var g = GetGroup(groupKey, e.Published);
                    if (idx == 0) { g.Insert(new Entry { T = e.Published, Uuid = e.Uuid, RuleIdx = 0 }, cap); return; }
                    var t = e.Published;
                    // failures in [t - timespan, t] before this success (other than itself) are the evidence
                    List<Entry>? fails = null;
                    foreach (var x in g.Entries)
                        if (x.RuleIdx == 0 && x.T <= t && x.T >= t - Def.Timespan && x.Uuid != e.Uuid) (fails ??= []).Add(x);
                    int failCount = fails?.Count ?? 0;
                    var (min, max) = _bounds;
                    bool ok = failCount >= (min ?? 1) && (max is null || failCount <= max);
                    int consumed = LastAtOrBefore(g.Entries, t) + 1; // entries are failures, sorted by time
                    if (consumed > 0) g.RemoveRange(0, consumed);
                    if (!ok) return;
                    var ids = fails!.Select(x => x.Uuid).Append(e.Uuid).ToList();
                    var expl = $"repeat_until_success {failCount} failures {CondText()} then success within {Span(Def.Timespan)} for {groupKey}; {baseRule.ExplainMatch(e)}";
                    d.Emit(Rule, groupKey, ids, fails![0].T, t, Rule.SeverityFor(e), expl, "", ref findings);
                    break;
                }
            case "absence":
                {
                    var g = GetGroup(groupKey, e.Published);
                    var t = e.Published;
                    if (idx == 1)
                    {
                        int bi = g.Others.Count;
                        while (bi > 0 && g.Others[bi - 1] > t) bi--;
                        g.Others.Insert(bi, t);
                        if (g.Others.Count > cap) g.Others.RemoveRange(0, g.Others.Count - Math.Max(1, cap * 9 / 10));
                        int from = g.LowerBound(t - Def.Timespan);
                        int to = from;
                        while (to < g.Entries.Count && g.Entries[to].T <= t) to++;
                        if (to > from) g.RemoveRange(from, to - from);
                        return;
                    }
                    int ob = g.Others.BinarySearch(t);
                    if (ob < 0) ob = ~ob;
                    if (ob < g.Others.Count && g.Others[ob] <= t + Def.Timespan) return;
                    g.Insert(new Entry { T = t, Uuid = e.Uuid, RuleIdx = 0, Sev = Rule.SeverityFor(e) }, cap);
                    d.ScheduleAbsence(this, groupKey, e.Uuid, t + Def.Timespan);
                    break;
                }
            case "first_seen":
                FirstSeen(d, groupKey, e, baseRule, ref findings);
                break;
            case "impossible_travel":
                Travel(d, groupKey, e, baseRule, ref findings);
                break;
        }
    }

    private const int MaxEventIds = 1000;

    private void TryCount(TenantDetector d, Group g, bool inOrder, string groupKey, OktaEvent e, CompiledRule baseRule, int min, int? max, ref List<Finding>? findings)
    {
        var list = g.Entries;
        var span = Def.Timespan;
        var t = e.Published;
        int from = -1, to = -1, count = 0;
        if (inOrder)
        {
            // window ending at the new (latest) event: [t - span, t]
            if (_valueField is null)
            {
                from = g.LowerBound(t - span);
                to = list.Count;
                count = to - from;
            }
            else
            {
                if (g.Dirty || g.Counts is null)
                {
                    g.Lo = g.LowerBound(t - span);
                    g.Counts = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (int k = g.Lo; k < list.Count; k++) g.Counts[list[k].Value!] = g.Counts.GetValueOrDefault(list[k].Value!) + 1;
                    g.Dirty = false;
                }
                else
                {
                    var v = list[^1].Value!;
                    g.Counts[v] = g.Counts.GetValueOrDefault(v) + 1;
                }
                while (g.Lo < list.Count && list[g.Lo].T < t - span)
                {
                    var old = list[g.Lo].Value!;
                    if (--g.Counts[old] == 0) g.Counts.Remove(old);
                    g.Lo++;
                }
                from = g.Lo;
                to = list.Count;
                count = g.Counts.Count;
            }
            if (count < min || (max is not null && count > max)) return;
        }
        else
        {
            // late event: any window of length span that contains it (two pointers)
            int i = g.LowerBound(t - span), j = i;
            var counts = _valueField is null ? null : new Dictionary<string, int>(StringComparer.Ordinal);
            int n = 0;
            bool found = false;
            for (; i < list.Count && list[i].T <= t; i++)
            {
                var end = list[i].T + span;
                while (j < list.Count && list[j].T <= end)
                {
                    if (counts is null) n++;
                    else counts[list[j].Value!] = counts.GetValueOrDefault(list[j].Value!) + 1;
                    j++;
                }
                int c = counts?.Count ?? n;
                if (c >= min && (max is null || c <= max)) { from = i; to = j; count = c; found = true; break; }
                if (counts is null) n--;
                else if (--counts[list[i].Value!] == 0) counts.Remove(list[i].Value!);
            }
            if (!found) return;
        }
        var taken = list.GetRange(from, to - from);
        g.RemoveRange(from, to - from);
        IEnumerable<Entry> evidence = taken;
        if (_valueField is not null)
            evidence = taken.GroupBy(x => x.Value).Select(x => x.Last()).OrderBy(x => x.T);
        var ids = evidence.Select(x => x.Uuid).Distinct().TakeLast(MaxEventIds).ToList();
        var what = _valueField is null ? "event_count" : $"value_count of {Def.ConditionField}";
        var expl = $"{what} {count} {CondText()} within {Span(span)} for {groupKey}; {baseRule.ExplainMatch(e)}";
        d.Emit(Rule, groupKey, ids, taken[0].T, taken[^1].T, Rule.SeverityFor(e), expl, "", ref findings);
    }

    private static int LastAtOrBefore(List<Entry> l, DateTime t)
    {
        int lo = 0, hi = l.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (l[mid].T <= t) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    private static void InsertSorted(List<Entry> l, Entry e, int cap)
    {
        int i = l.Count;
        while (i > 0 && l[i - 1].T > e.T) i--;
        l.Insert(i, e);
        if (l.Count > cap) l.RemoveRange(0, l.Count - Math.Max(1, cap * 9 / 10));
    }

    private static int LastIndexOf(List<Entry> l, string uuid)
    {
        for (int i = l.Count - 1; i >= 0; i--) if (l[i].Uuid == uuid) return i;
        return -1;
    }

    /// <summary>temporal / temporal_ordered. Entries are kept per referenced rule (sorted by time).</summary>
    private void TryTemporal(TenantDetector d, Group g, Entry entry, int cap, string groupKey, OktaEvent e, CompiledRule baseRule, ref List<Finding>? findings)
    {
        int n = Def.Rules.Count;
        g.ByIdx ??= Enumerable.Range(0, n).Select(_ => new List<Entry>()).ToArray();
        var lists = g.ByIdx;
        var span = Def.Timespan;
        var t = entry.T;
        InsertSorted(lists[entry.RuleIdx], entry, cap);
        bool ordered = Def.Type == "temporal_ordered";
        var pick = new int[n];
        if (ordered)
        {
            // candidate end points: every entry of the last rule within [t, t + span] (the new event may be in the middle)
            var last = lists[n - 1];
            int startK = Math.Max(0, LastAtOrBefore(last, t - TimeSpan.FromTicks(1)) + 1);
            bool found = false;
            for (int k = startK; k < last.Count && last[k].T <= t + span && !found; k++)
            {
                var end = last[k].T;
                pick[n - 1] = k;
                var bound = end;
                bool ok = true;
                for (int r = n - 2; r >= 0 && ok; r--)
                {
                    int idx = LastAtOrBefore(lists[r], bound);
                    if (idx < 0 || lists[r][idx].T < end - span) { ok = false; break; }
                    pick[r] = idx;
                    bound = lists[r][idx].T;
                }
                // the sequence must include the new event's time range
                if (ok && lists[0][pick[0]].T <= t && t <= end) found = true;
            }
            if (!found) return;
        }
        else
        {
            // windows containing t: try the tightest window ending at the latest of each rule's entry ≤ t + span
            bool ok = true;
            for (int r = 0; r < n && ok; r++)
            {
                if (r == entry.RuleIdx) { pick[r] = LastIndexOf(lists[r], entry.Uuid); continue; }
                // nearest entry to t within span on either side
                int before = LastAtOrBefore(lists[r], t);
                int after = before + 1;
                int best = -1;
                if (before >= 0 && lists[r][before].T >= t - span) best = before;
                if (after < lists[r].Count && lists[r][after].T <= t + span && (best < 0 || lists[r][after].T - t < t - lists[r][best].T)) best = after;
                if (best < 0) ok = false; else pick[r] = best;
            }
            if (!ok) return;
            DateTime min = DateTime.MaxValue, max = DateTime.MinValue;
            for (int r = 0; r < n; r++)
            {
                var picked = lists[r][pick[r]].T;
                if (picked < min) min = picked;
                if (picked > max) max = picked;
            }
            if (max - min > span) return;
        }
        var taken = new List<Entry>(n);
        for (int r = 0; r < n; r++) taken.Add(lists[r][pick[r]]);
        for (int r = 0; r < n; r++) lists[r].RemoveAt(pick[r]);
        var names = string.Join(ordered ? " → " : ", ", Def.Rules.Select(r => r.Ref));
        var expl = $"{Def.Type} {names} within {Span(span)} for {groupKey}; {baseRule.ExplainMatch(e)}";
        d.Emit(Rule, groupKey, taken.OrderBy(x => x.T).Select(x => x.Uuid).Distinct().ToList(), taken.Min(x => x.T), taken.Max(x => x.T), Rule.SeverityFor(e), expl, "", ref findings);
    }

    public void AbsenceTimeout(TenantDetector d, string groupKey, string uuid, ref List<Finding>? findings)
    {
        if (!_groups.TryGetValue(groupKey, out var g)) return;
        int i = LastIndexOf(g.Entries, uuid);
        if (i < 0) return;
        var a = g.Entries[i];
        g.Entries.RemoveAt(i);
        var expl = $"absence: '{Def.Rules[0].Ref}' at {a.T:O} and no '{Def.Rules[1].Ref}' within {Span(Def.Timespan)} for {groupKey}";
        d.Emit(Rule, groupKey, [a.Uuid], a.T, a.T, a.Sev, expl, "", ref findings);
    }

    /// <summary>lt/lte count conditions: evaluated when the window after a group's first event has closed.</summary>
    public void SweepClosedWindows(TenantDetector d, DateTime upTo, ref List<Finding>? findings)
    {
        if (Def.Type is not ("event_count" or "value_count")) return;
        var (min, max) = Bounds();
        if (min is not null || max is null) return;
        foreach (var (key, g) in _groups)
        {
            while (g.Entries.Count > 0 && g.Entries[0].T + Def.Timespan < upTo)
            {
                var end = g.Entries[0].T + Def.Timespan;
                var taken = g.Entries.TakeWhile(x => x.T <= end).ToList();
                g.RemoveRange(0, taken.Count);
                int count = _valueField is null ? taken.Count : taken.Select(x => x.Value).Distinct().Count();
                if (count > max) continue;
                var expl = $"{Def.Type} {count} {CondText()} within {Span(Def.Timespan)} for {key}";
                d.Emit(Rule, key, taken.Select(x => x.Uuid).ToList(), taken[0].T, taken[^1].T, Rule.Def.Level, expl, "", ref findings);
            }
        }
    }

    private void FirstSeen(TenantDetector d, string entity, OktaEvent e, CompiledRule baseRule, ref List<Finding>? findings)
    {
        var store = d.Store;
        var t = e.Published;

        var values = new string?[_fields.Length];
        bool any = false;
        for (int i = 0; i < _fields.Length; i++)
        {
            values[i] = JsonPath.FirstText(e, _fields[i])?.ToLowerInvariant();
            any |= values[i] is not null;
        }
        if (!any) return;

        bool learning = false;
        if (Def.Learning > TimeSpan.Zero)
        {
            var lm = store.Get(Rule.Id, "", LearningMarker);
            var firstT = lm is null || t < lm.FirstSeen ? t : lm.FirstSeen;
            store.Put(new FirstSeenEntry(Rule.Id, "", LearningMarker, firstT, lm is null || t > lm.LastSeen ? t : lm.LastSeen));
            learning = t < firstT + Def.Learning;
        }

        bool entityKnown = Remember(store, entity, EntityMarker, t);
        List<string>? fresh = null;
        int keys = 0;
        if (Def.Mode == "tuple")
        {
            keys = 1;
            if (!Remember(store, entity, string.Join("\u001f", values), t)) (fresh ??= []).Add(TupleLabel(values));
        }
        else
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] is not { } v) continue;
                keys++;
                if (!Remember(store, entity, i.ToString(CultureInfo.InvariantCulture) + "=" + v, t)) (fresh ??= []).Add($"{Def.Fields[i]}={v}");
            }
        int freshCount = fresh?.Count ?? 0;
        bool fire = Def.Mode == "all" ? freshCount == keys && keys == _fields.Length : freshCount > 0;
        if (!fire || learning || !(entityKnown || Def.AlertNewEntity)) return;
        var expl = $"first_seen: new {string.Join("; ", fresh!)} for {entity} (history {Span(Def.History)}); {baseRule.ExplainMatch(e)}";
        d.Emit(Rule, entity, [e.Uuid], t, t, Rule.SeverityFor(e), expl, e.Uuid, ref findings);
    }

    private string TupleLabel(string?[] values) => string.Join(", ", Def.Fields.Select((f, i) => $"{f}={values[i]}"));

    /// <summary>Records that <paramref name="entity"/> had <paramref name="value"/> at <paramref name="t"/>; returns
    /// whether it was already known within the history window. Writes only when the remembered span widens.</summary>
    private bool Remember(IFirstSeenStore store, string entity, string value, DateTime t)
    {
        var x = store.Get(Rule.Id, entity, value);
        if (x is null)
        {
            store.Put(new FirstSeenEntry(Rule.Id, entity, value, t, t));
            return false;
        }
        bool known = t - x.LastSeen <= Def.History;
        if (t < x.FirstSeen || t > x.LastSeen)
            store.Put(x with { FirstSeen = t < x.FirstSeen ? t : x.FirstSeen, LastSeen = t > x.LastSeen ? t : x.LastSeen });
        return known;
    }

    private static double? Num(OktaEvent e, string path)
    {
        var s = e.GetString(path);
        return s is not null && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    private bool Excluded(OktaEvent e)
    {
        if (Def.ExcludeProxy && string.Equals(e.GetString("securityContext.isProxy"), "true", StringComparison.OrdinalIgnoreCase)) return true;
        if (Rule.ExcludeCidrs.Length > 0 && e.GetString("client.ipAddress") is { } ip)
            foreach (var c in Rule.ExcludeCidrs) if (c.Contains(ip)) return true;
        if (Rule.ExcludeAsns.Count > 0 && e.GetString("securityContext.asNumber") is { } asn && Rule.ExcludeAsns.Contains(asn)) return true;
        return false;
    }

    internal static double HaversineKm(double lat1, double lon1, double lat2, double lon2)
    {
        const double R = 6371.0088;
        double dLat = (lat2 - lat1) * Math.PI / 180, dLon = (lon2 - lon1) * Math.PI / 180;
        double a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private void Travel(TenantDetector d, string groupKey, OktaEvent e, CompiledRule baseRule, ref List<Finding>? findings)
    {
        var lat = Num(e, "client.geographicalContext.geolocation.lat");
        var lon = Num(e, "client.geographicalContext.geolocation.lon");
        if (lat is null || lon is null) return;
        bool excluded = Excluded(e);
        if (excluded && Def.ExcludedLevel is null) return;
        var g = GetGroup(groupKey, e.Published);
        var cur = new Entry { T = e.Published, Uuid = e.Uuid, Lat = lat.Value, Lon = lon.Value, Ip = e.GetString("client.ipAddress") };
        int pos = 0;
        while (pos < g.Entries.Count && g.Entries[pos].T <= cur.T) pos++;
        Entry? prev = pos > 0 ? g.Entries[pos - 1] : null;
        Entry? next = pos < g.Entries.Count ? g.Entries[pos] : null;
        var sev = excluded ? Def.ExcludedLevel!.Value : Rule.SeverityFor(e);
        if (prev is { } p) CheckPair(d, groupKey, p, cur, e, sev, baseRule, ref findings);
        if (next is { } n) CheckPair(d, groupKey, cur, n, e, sev, baseRule, ref findings);
        if (!excluded)
        {
            g.Entries.Insert(pos, cur);
            if (g.Entries.Count > 16) g.Entries.RemoveAt(0);
        }
    }

    private void CheckPair(TenantDetector d, string groupKey, Entry a, Entry b, OktaEvent e, Severity sev, CompiledRule baseRule, ref List<Finding>? findings)
    {
        if (a.Uuid == b.Uuid) return;
        if (a.Ip is not null && b.Ip is not null && string.Equals(a.Ip, b.Ip, StringComparison.OrdinalIgnoreCase)) return;
        var dist = HaversineKm(a.Lat, a.Lon, b.Lat, b.Lon);
        if (dist < Def.MinDistanceKm) return;
        var hours = (b.T - a.T).TotalHours;
        var speed = hours <= 0 ? double.PositiveInfinity : dist / hours;
        if (speed <= Def.MaxSpeedKmh) return;
        var expl = string.Create(CultureInfo.InvariantCulture,
            $"impossible_travel {dist:F0} km in {(b.T - a.T).TotalMinutes:F1} min = {(double.IsInfinity(speed) ? "∞" : speed.ToString("F0", CultureInfo.InvariantCulture))} km/h > {Def.MaxSpeedKmh} km/h from {a.Ip} to {b.Ip} for {groupKey}; {baseRule.ExplainMatch(e)}");
        d.Emit(Rule, groupKey, [a.Uuid, b.Uuid], a.T, b.T, sev, expl, "", ref findings);
    }

    public void Evict(DateTime horizon, int maxGroups)
    {
        List<string>? dead = null;
        var entryHorizon = Def.Type == "absence" ? horizon - Def.Timespan : horizon;
        foreach (var (key, g) in _groups)
        {
            // entries are sorted by time: only touch groups whose oldest entry is past the horizon
            if (g.Entries.Count > 0 && g.Entries[0].T < entryHorizon)
            {
                g.RemoveRange(0, g.LowerBound(entryHorizon));
            }
            if (g.Others.Count > 0 && g.Others[0] < horizon) g.Others.RemoveAll(x => x < horizon);
            if (g.ByIdx is { } lists)
                foreach (var l in lists)
                    if (l.Count > 0 && l[0].T < horizon) l.RemoveAll(x => x.T < horizon);
            if (g.Entries.Count == 0 && g.Others.Count == 0 && (g.ByIdx is null || g.ByIdx.All(l => l.Count == 0))) (dead ??= []).Add(key);
        }
        if (dead is not null) foreach (var k in dead) _groups.Remove(k);
        if (_groups.Count > maxGroups)
            foreach (var k in _groups.OrderBy(kv => kv.Value.LastUpdate).Take(_groups.Count - maxGroups).Select(kv => kv.Key).ToList())
                _groups.Remove(k);
    }
}
