using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace IdentiGuard.Detection;

internal sealed record SeverityRule(Cond? Condition, Selection? Inline, Severity Level);

/// <summary>A rule bound to parameter values, ready to evaluate. Immutable; shareable across tenants.</summary>
internal sealed class CompiledRule
{
    public required RuleDef Def { get; init; }
    public Selection[] Selections { get; init; } = [];
    public Cond? Condition { get; init; }
    public HashSet<string>? EventTypes { get; init; }
    public SeverityRule[] SeverityRules { get; init; } = [];
    public string[][] GroupByPaths { get; init; } = [];
    /// <summary>Group-by field list as one string (rules with the same group-by share a per-event cache entry).</summary>
    public string GroupBySig { get; init; } = "";
    public CidrPattern[] ExcludeCidrs { get; init; } = [];
    public HashSet<string> ExcludeAsns { get; init; } = [];
    public string Id => Def.Id;

    public bool Matches(OktaEvent ev) => Condition!.Eval(Selections, ev);

    public Severity SeverityFor(OktaEvent ev)
    {
        foreach (var s in SeverityRules)
        {
            if (s.Inline is { } sel ? sel.Match(ev) : s.Condition!.Eval(Selections, ev)) return s.Level;
        }
        return Def.Level;
    }

    public string ExplainMatch(OktaEvent ev)
    {
        if (Condition is null) return "";
        var idx = new List<int>();
        Condition.CollectTrue(Selections, ev, idx);
        if (idx.Count == 0) return $"rule '{Def.Id}' matched";
        return string.Join("; ", idx.Select(i => Selections[i].Explain(ev)));
    }
}

internal static class RuleCompiler
{
    private static readonly Regex ParamRx = new(@"%param\.([A-Za-z0-9_\-]+)%", RegexOptions.CultureInvariant);

    /// <param name="paramValues">Parameter name → values (null = not configured → empty list).</param>
    public static CompiledRule Compile(RuleDef def, IReadOnlyDictionary<string, string[]?> paramValues)
    {
        var ctx = new Ctx(def, paramValues);
        Selection[] sels = [];
        Cond? cond = null;
        HashSet<string>? eventTypes = null;
        if (def.Detection is { } det)
        {
            var list = new List<Selection>();
            YamlNode? condNode = null;
            foreach (var kv in det.Children)
            {
                var name = (kv.Key as YamlScalarNode)?.Value ?? throw new RuleValidationException(def.File, RuleParser.Line(kv.Key), "selection name must be a string");
                if (name == "condition") { condNode = kv.Value; continue; }
                if (name == "timeframe") throw new RuleValidationException(def.File, RuleParser.Line(kv.Key), "'timeframe' is not supported; use a correlation rule with 'timespan'");
                list.Add(CompileSelection(ctx, name, kv.Value));
            }
            sels = [.. list];
            if (condNode is null) throw new RuleValidationException(def.File, def.DetectionLine, "detection has no 'condition'");
            string condText = condNode switch
            {
                YamlScalarNode cs when !string.IsNullOrWhiteSpace(cs.Value) => cs.Value!,
                YamlSequenceNode cseq when cseq.Children.Count > 0 => string.Join(" or ", cseq.Select(c => "(" + ((c as YamlScalarNode)?.Value ?? "") + ")")),
                _ => throw new RuleValidationException(def.File, RuleParser.Line(condNode), "'condition' must be a non-empty string"),
            };
            var names = sels.Select(s => s.Name).ToList();
            try { cond = ConditionParser.Parse(condText, names); }
            catch (FormatException ex) { throw new RuleValidationException(def.File, RuleParser.Line(condNode), ex.Message); }
            eventTypes = cond.RequiredEventTypes(sels);
        }

        var sev = new List<SeverityRule>();
        foreach (var s in def.SeverityRules)
        {
            if (s.When is YamlScalarNode ws)
            {
                if (def.Detection is null) throw new RuleValidationException(def.File, s.Line, "severity 'when' on a correlation rule must be an inline selection map");
                try { sev.Add(new SeverityRule(ConditionParser.Parse(ws.Value ?? "", sels.Select(x => x.Name).ToList()), null, s.Level)); }
                catch (FormatException ex) { throw new RuleValidationException(def.File, RuleParser.Line(ws), "severity 'when': " + ex.Message); }
            }
            else sev.Add(new SeverityRule(null, CompileSelection(ctx, "severity_when", s.When), s.Level));
        }

        var groupBy = (def.Correlation?.GroupBy ?? def.GroupBy).Select(JsonPath.Split).ToArray();
        var cidrs = new List<CidrPattern>();
        var asns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (def.Correlation is { } c)
        {
            if (c.ExcludeCidrs is { } cn)
                foreach (var v in ctx.Values(cn, "exclude.cidrs"))
                {
                    if (v is null) continue;
                    if (!CidrPattern.TryCreate(v, out var cp)) throw new RuleValidationException(def.File, RuleParser.Line(cn), $"invalid CIDR '{v}'");
                    cidrs.Add(cp!);
                }
            if (c.ExcludeAsns is { } an)
                foreach (var v in ctx.Values(an, "exclude.asns"))
                    if (v is not null) asns.Add(v.Trim().TrimStart('A', 'S', 'a', 's'));
        }
        return new CompiledRule
        {
            Def = def,
            Selections = sels,
            Condition = cond,
            EventTypes = eventTypes,
            SeverityRules = [.. sev],
            GroupByPaths = groupBy,
            GroupBySig = string.Join("\u001f", def.Correlation?.GroupBy ?? def.GroupBy),
            ExcludeCidrs = [.. cidrs],
            ExcludeAsns = asns,
        };
    }

    private sealed class Ctx(RuleDef def, IReadOnlyDictionary<string, string[]?> paramValues)
    {
        public RuleDef Def { get; } = def;

        /// <summary>Expands a YAML value node (scalar or list) into values, substituting parameters. null = YAML null.</summary>
        public List<string?> Values(YamlNode node, string where)
        {
            var result = new List<string?>();
            if (node is YamlSequenceNode seq)
            {
                foreach (var item in seq)
                {
                    if (item is not YamlScalarNode s) throw new RuleValidationException(Def.File, RuleParser.Line(item), $"'{where}': list values must be scalars");
                    AddScalar(s, result);
                }
            }
            else if (node is YamlScalarNode sc) AddScalar(sc, result);
            else throw new RuleValidationException(Def.File, RuleParser.Line(node), $"'{where}': value must be a scalar or a list");
            return result;
        }

        private void AddScalar(YamlScalarNode s, List<string?> into)
        {
            if (RuleParser.IsNullScalar(s)) { into.Add(null); return; }
            var v = s.Value!;
            var m = ParamRx.Match(v);
            if (!m.Success) { into.Add(v); return; }
            var name = m.Groups[1].Value;
            if (!Def.Parameters.ContainsKey(name))
                throw new RuleValidationException(Def.File, RuleParser.Line(s), $"parameter '{name}' is not declared under identiguard.parameters");
            paramValues.TryGetValue(name, out var vals);
            vals ??= Def.Parameters[name].Default ?? [];
            foreach (var pv in vals)
                into.Add(m.Value == v ? pv : v.Replace(m.Value, pv, StringComparison.Ordinal));
        }
    }

    private static Selection CompileSelection(Ctx ctx, string name, YamlNode node)
    {
        var file = ctx.Def.File;
        if (node is YamlMappingNode map)
        {
            var (root, keys, et) = CompileMap(ctx, map);
            return new Selection { Name = name, Alternatives = [root], AlternativeKeys = [keys], EventTypes = et };
        }
        if (node is YamlSequenceNode seq && seq.Children.Count > 0)
        {
            if (seq.All(c => c is YamlMappingNode))
            {
                var alts = new List<SelNode>();
                var keys = new List<List<KeyMatcher>>();
                HashSet<string>? union = new(StringComparer.OrdinalIgnoreCase);
                foreach (YamlMappingNode m in seq.Cast<YamlMappingNode>())
                {
                    var (r, k, et) = CompileMap(ctx, m);
                    alts.Add(r); keys.Add(k);
                    if (et is null) union = null; else union?.UnionWith(et);
                }
                return new Selection { Name = name, Alternatives = [.. alts], AlternativeKeys = [.. keys], EventTypes = union };
            }
            if (seq.All(c => c is YamlScalarNode))
            {
                var kws = ctx.Values(seq, name).Where(v => v is not null).Select(v => v!).ToArray();
                return new Selection { Name = name, Keywords = kws };
            }
        }
        if (node is YamlScalarNode ks && !RuleParser.IsNullScalar(ks))
            return new Selection { Name = name, Keywords = ctx.Values(ks, name).Where(v => v is not null).Select(v => v!).ToArray() };
        throw new RuleValidationException(file, RuleParser.Line(node), $"selection '{name}' must be a map, a list of maps or a list of keywords");
    }

    private static (SelNode, List<KeyMatcher>, HashSet<string>?) CompileMap(Ctx ctx, YamlMappingNode map)
    {
        var root = new SelNode();
        var keys = new List<KeyMatcher>();
        HashSet<string>? eventTypes = null;
        foreach (var kv in map.Children)
        {
            var key = (kv.Key as YamlScalarNode)?.Value;
            if (string.IsNullOrWhiteSpace(key)) throw new RuleValidationException(ctx.Def.File, RuleParser.Line(kv.Key), "field name must be a non-empty string");
            var km = CompileKey(ctx, key, kv.Key, kv.Value);
            keys.Add(km);
            var node = root;
            foreach (var seg in JsonPath.Split(km.Path)) node = node.Child(seg);
            node.Leaves.Add(km);
            if (string.Equals(km.Path, "eventType", StringComparison.OrdinalIgnoreCase) && km.Patterns.Length > 0 && !km.All
                && km.Patterns.All(p => p is StringPattern))
            {
                var set = ExactEventTypes(ctx, key, kv.Value);
                if (set is not null) eventTypes = set;
            }
        }
        return (root, keys, eventTypes);
    }

    private static HashSet<string>? ExactEventTypes(Ctx ctx, string key, YamlNode value)
    {
        if (key.Contains('|')) return null;
        var vals = ctx.Values(value, key);
        if (vals.Any(v => v is null || Wildcard.HasWildcards(v))) return null;
        return new HashSet<string>(vals.Select(v => Wildcard.Unescape(v!)), StringComparer.OrdinalIgnoreCase);
    }

    private static KeyMatcher CompileKey(Ctx ctx, string key, YamlNode keyNode, YamlNode value)
    {
        var file = ctx.Def.File;
        int line = RuleParser.Line(keyNode);
        var parts = key.Split('|');
        var path = parts[0].Trim();
        if (path.Length == 0) throw new RuleValidationException(file, line, $"'{key}': missing field name");
        StrOp op = StrOp.Equals;
        bool all = false, re = false, cidr = false, exists = false, cased = false, fieldref = false;
        string? num = null;
        var reOpts = RegexOptions.None;
        foreach (var raw in parts.Skip(1))
        {
            var mod = raw.Trim();
            switch (mod)
            {
                case "contains": op = StrOp.Contains; break;
                case "startswith": op = StrOp.StartsWith; break;
                case "endswith": op = StrOp.EndsWith; break;
                case "all": all = true; break;
                case "re": re = true; break;
                case "i": reOpts |= RegexOptions.IgnoreCase; break;
                case "m": reOpts |= RegexOptions.Multiline; break;
                case "s": reOpts |= RegexOptions.Singleline; break;
                case "cidr": cidr = true; break;
                case "exists": exists = true; break;
                case "cased": cased = true; break;
                case "fieldref": fieldref = true; break;
                case "gt" or "gte" or "lt" or "lte": num = mod; break;
                default:
                    throw new RuleValidationException(file, line, $"unknown or unsupported modifier '{mod}' in '{key}'");
            }
        }
        if ((reOpts != RegexOptions.None) && !re) throw new RuleValidationException(file, line, $"modifiers i/m/s need 're' in '{key}'");

        var values = ctx.Values(value, key);
        var patterns = new List<ValuePattern>();
        foreach (var v in values)
        {
            if (exists)
            {
                if (v is null || !bool.TryParse(v, out var b)) throw new RuleValidationException(file, line, $"'{key}': exists needs true or false");
                patterns.Add(new ExistsPattern(b));
                continue;
            }
            if (v is null) { patterns.Add(new NullPattern()); continue; }
            if (re)
            {
                try { patterns.Add(new RegexPattern(new Regex(v, reOpts | RegexOptions.CultureInvariant, DetectionDiagnostics.RegexTimeout), v)); }
                catch (ArgumentException ex) { throw new RuleValidationException(file, line, $"invalid regular expression '{v}' in '{key}': {ex.Message}"); }
                continue;
            }
            if (cidr)
            {
                if (!CidrPattern.TryCreate(v, out var cp)) throw new RuleValidationException(file, line, $"invalid CIDR '{v}' in '{key}'");
                patterns.Add(cp!);
                continue;
            }
            if (num is not null)
            {
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) throw new RuleValidationException(file, line, $"'{key}' needs a number, got '{v}'");
                patterns.Add(new NumberPattern(num, d));
                continue;
            }
            if (fieldref) { patterns.Add(new FieldRefPattern(v)); continue; }
            var cmp = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            if (Wildcard.HasWildcards(v))
            {
                var body = Wildcard.ToRegex(v);
                var rx = op switch
                {
                    StrOp.Contains => ".*" + body + ".*",
                    StrOp.StartsWith => body + ".*",
                    StrOp.EndsWith => ".*" + body,
                    _ => body,
                };
                var opts = RegexOptions.Singleline | RegexOptions.CultureInvariant | (cased ? RegexOptions.None : RegexOptions.IgnoreCase);
                patterns.Add(new RegexPattern(new Regex("^" + rx + "$", opts, DetectionDiagnostics.RegexTimeout), v));
            }
            else patterns.Add(new StringPattern(Wildcard.Unescape(v), op, cmp));
        }
        return new KeyMatcher(key, path, [.. patterns], all);
    }
}
