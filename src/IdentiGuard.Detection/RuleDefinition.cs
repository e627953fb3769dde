using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IdentiGuard.Detection;

internal sealed record ParamDef(string Name, bool IsList, string[]? Default);

internal sealed record SeverityRuleDef(YamlNode When, Severity Level, int Line);

internal sealed class CorrelationDef
{
    public required string Type { get; init; }
    public required int Line { get; init; }
    public List<(string Ref, int Line)> Rules { get; } = [];
    public string[] GroupBy { get; set; } = [];
    public TimeSpan Timespan { get; set; }
    public Dictionary<string, double> Condition { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string? ConditionField { get; set; }
    public bool Generate { get; set; }
    // first_seen
    public string[] Fields { get; set; } = [];
    public string Mode { get; set; } = "tuple";
    public TimeSpan History { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan Learning { get; set; }
    public bool AlertNewEntity { get; set; }
    // impossible_travel
    public double MaxSpeedKmh { get; set; } = 900;
    public double MinDistanceKm { get; set; } = 100;
    public bool ExcludeProxy { get; set; }
    public YamlNode? ExcludeCidrs { get; set; }
    public YamlNode? ExcludeAsns { get; set; }
    public Severity? ExcludedLevel { get; set; }
}

/// <summary>A parsed (not yet parameter-bound) rule document.</summary>
internal sealed class RuleDef
{
    public required string File { get; init; }
    public required int Line { get; init; }
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required string Title { get; init; }
    public string Description { get; init; } = "";
    public Severity Level { get; init; }
    public List<string> References { get; init; } = [];
    public List<string> Tactics { get; init; } = [];
    public List<string> Techniques { get; init; } = [];
    public List<string> FalsePositives { get; init; } = [];
    public bool EnabledByDefault { get; init; } = true;
    public Dictionary<string, ParamDef> Parameters { get; init; } = new(StringComparer.Ordinal);
    public TimeSpan Dedup { get; init; }
    public string[] GroupBy { get; init; } = ["actor.alternateId"];
    public List<SeverityRuleDef> SeverityRules { get; init; } = [];
    public YamlMappingNode? Detection { get; init; }
    public int DetectionLine { get; init; }
    public CorrelationDef? Correlation { get; init; }
    public bool EmitsAlerts { get; set; } = true;
    public List<string> ConsumedRuleIds { get; } = [];

    public RuleInfo ToInfo() => new(Id, Title, Description, Level, EnabledByDefault, References, Tactics, Techniques, FalsePositives,
        Parameters.ToDictionary(p => p.Key, p => p.Value.Default is null ? null : string.Join(",", p.Value.Default)), EmitsAlerts)
    {
        Name = Name,
        Kind = Correlation?.Type ?? "detection",
        FileName = File,
        ConsumesRules = ConsumedRuleIds,
    };
}

internal static class RuleParser
{
    private static readonly HashSet<string> CorrelationTypes = new(StringComparer.Ordinal)
    { "event_count", "value_count", "temporal", "temporal_ordered", "first_seen", "impossible_travel", "absence", "repeat_until_success" };

    public static List<RuleDef> ParseFile(RuleSource src)
    {
        var file = src.FileName;
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(src.Yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw new RuleValidationException(file, (int)Math.Max(1, ex.Start.Line), "YAML syntax error: " + FirstLine(ex.InnerException?.Message ?? ex.Message));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            var line = parser.Current is { } cur ? (int)Math.Max(1, cur.Start.Line) : 1;
            throw new RuleValidationException(file, line, "YAML syntax error: " + FirstLine(ex.Message));
        }
        var result = new List<RuleDef>();
        foreach (var doc in stream.Documents)
        {
            var root = doc.RootNode;
            if (root is YamlScalarNode { Value: null or "" }) continue;
            if (root is not YamlMappingNode map)
                throw new RuleValidationException(file, Line(root), "a rule document must be a mapping");
            result.Add(ParseDoc(file, map));
        }
        if (result.Count == 0)
            throw new RuleValidationException(file, 1, "file contains no rule");
        return result;
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return (i < 0 ? s : s[..i]).Trim();
    }

    internal static int Line(YamlNode n) => (int)Math.Max(1, n.Start.Line);

    private static YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var kv in map.Children)
            if (kv.Key is YamlScalarNode k && k.Value == key) return kv.Value;
        return null;
    }

    private static YamlScalarNode? KeyNode(YamlMappingNode map, string key)
    {
        foreach (var kv in map.Children)
            if (kv.Key is YamlScalarNode k && k.Value == key) return k;
        return null;
    }

    private static string? Scalar(string file, YamlMappingNode map, string key, bool required = false)
    {
        var n = Get(map, key);
        if (n is null)
        {
            if (required) throw new RuleValidationException(file, Line(map), $"missing required key '{key}'");
            return null;
        }
        if (n is not YamlScalarNode s) throw new RuleValidationException(file, Line(n), $"'{key}' must be a scalar");
        if (required && string.IsNullOrWhiteSpace(s.Value)) throw new RuleValidationException(file, Line(n), $"'{key}' must not be empty");
        return s.Value;
    }

    private static List<string> StringList(string file, YamlMappingNode map, string key)
    {
        var n = Get(map, key);
        if (n is null) return [];
        if (n is YamlScalarNode s) return s.Value is null or "" ? [] : [s.Value];
        if (n is not YamlSequenceNode seq) throw new RuleValidationException(file, Line(n), $"'{key}' must be a list of strings");
        var list = new List<string>();
        foreach (var item in seq)
        {
            if (item is not YamlScalarNode si) throw new RuleValidationException(file, Line(item), $"'{key}' must be a list of strings");
            if (si.Value is not null) list.Add(si.Value);
        }
        return list;
    }

    internal static bool IsNullScalar(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "null" or "~" or "Null" or "NULL");

    public static TimeSpan ParseDuration(string file, YamlNode node, string what)
    {
        if (node is YamlScalarNode s && TryParseDuration(s.Value, out var ts)) return ts;
        throw new RuleValidationException(file, Line(node), $"invalid {what} '{(node as YamlScalarNode)?.Value}' (expected e.g. 30s, 10m, 1h, 7d)");
    }

    public static bool TryParseDuration(string? text, out TimeSpan ts)
    {
        ts = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        char unit = t[^1];
        if (!double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0) return false;
        switch (unit)
        {
            case 's': ts = TimeSpan.FromSeconds(n); return true;
            case 'm': ts = TimeSpan.FromMinutes(n); return true;
            case 'h': ts = TimeSpan.FromHours(n); return true;
            case 'd': ts = TimeSpan.FromDays(n); return true;
            case 'w': ts = TimeSpan.FromDays(7 * n); return true;
            case 'M': ts = TimeSpan.FromDays(30 * n); return true;
            case 'y': ts = TimeSpan.FromDays(365 * n); return true;
            default: return false;
        }
    }

    private static string[] FieldList(string file, YamlNode? n, string what)
    {
        if (n is null) return [];
        if (n is YamlScalarNode s) return string.IsNullOrWhiteSpace(s.Value) ? [] : [s.Value!];
        if (n is YamlSequenceNode seq)
            return seq.Select(i => i is YamlScalarNode x && !string.IsNullOrWhiteSpace(x.Value) ? x.Value! : throw new RuleValidationException(file, Line(i), $"'{what}' must list field names")).ToArray();
        throw new RuleValidationException(file, Line(n), $"'{what}' must be a field name or a list of field names");
    }

    private static RuleDef ParseDoc(string file, YamlMappingNode map)
    {
        var id = Scalar(file, map, "id", required: true)!.Trim();
        var title = Scalar(file, map, "title", required: true)!.Trim();
        var levelText = Scalar(file, map, "level");
        if (levelText is null) throw new RuleValidationException(file, Line(map), "missing required key 'level'");
        if (!SeverityNames.TryParse(levelText, out var level))
            throw new RuleValidationException(file, Line(Get(map, "level")!), $"unknown level '{levelText}' (informational, low, medium, high, critical)");

        var tags = StringList(file, map, "tags");
        var tactics = new List<string>();
        var techniques = new List<string>();
        foreach (var tag in tags)
        {
            if (!tag.StartsWith("attack.", StringComparison.OrdinalIgnoreCase)) continue;
            var rest = tag[7..];
            if (rest.Length > 1 && (rest[0] == 't' || rest[0] == 'T') && char.IsAsciiDigit(rest[1])) techniques.Add(rest.ToUpperInvariant());
            else if (!(rest.Length > 1 && (rest[0] == 'g' || rest[0] == 's') && char.IsAsciiDigit(rest[1]))) tactics.Add(rest.ToLowerInvariant());
        }

        var detection = Get(map, "detection");
        var correlation = Get(map, "correlation");
        if (detection is null && correlation is null)
            throw new RuleValidationException(file, Line(map), "rule needs a 'detection' or a 'correlation' section");
        if (detection is not null && correlation is not null)
            throw new RuleValidationException(file, Line(correlation), "a rule has either 'detection' or 'correlation', not both");
        if (detection is not null and not YamlMappingNode)
            throw new RuleValidationException(file, Line(detection), "'detection' must be a mapping");

        bool enabled = true;
        var parameters = new Dictionary<string, ParamDef>(StringComparer.Ordinal);
        TimeSpan dedup = default;
        string[] groupBy = ["actor.alternateId"];
        var severityRules = new List<SeverityRuleDef>();
        if (Get(map, "identiguard") is { } ig)
        {
            if (ig is not YamlMappingNode igm) throw new RuleValidationException(file, Line(ig), "'identiguard' must be a mapping");
            foreach (var kv in igm.Children)
            {
                var key = (kv.Key as YamlScalarNode)?.Value;
                switch (key)
                {
                    case "enabled":
                        if (kv.Value is not YamlScalarNode es || !bool.TryParse(es.Value, out enabled))
                            throw new RuleValidationException(file, Line(kv.Value), "'identiguard.enabled' must be true or false");
                        break;
                    case "parameters":
                        if (kv.Value is not YamlMappingNode pm) throw new RuleValidationException(file, Line(kv.Value), "'identiguard.parameters' must be a mapping");
                        foreach (var p in pm.Children)
                        {
                            var pname = (p.Key as YamlScalarNode)?.Value ?? throw new RuleValidationException(file, Line(p.Key), "parameter name must be a string");
                            parameters[pname] = p.Value switch
                            {
                                YamlSequenceNode seq => new ParamDef(pname, true, seq.Select(i => (i as YamlScalarNode)?.Value ?? throw new RuleValidationException(file, Line(i), $"parameter '{pname}' must be a scalar or a list of scalars")).ToArray()),
                                YamlScalarNode s when IsNullScalar(s) => new ParamDef(pname, false, null),
                                YamlScalarNode s => new ParamDef(pname, false, [s.Value!]),
                                _ => throw new RuleValidationException(file, Line(p.Value), $"parameter '{pname}' must be a scalar or a list of scalars"),
                            };
                        }
                        break;
                    case "dedup":
                        dedup = ParseDuration(file, kv.Value, "identiguard.dedup");
                        break;
                    case "group-by":
                        groupBy = FieldList(file, kv.Value, "identiguard.group-by");
                        break;
                    case "severity":
                        if (kv.Value is not YamlSequenceNode sseq) throw new RuleValidationException(file, Line(kv.Value), "'identiguard.severity' must be a list of {when, level}");
                        foreach (var item in sseq)
                        {
                            if (item is not YamlMappingNode im) throw new RuleValidationException(file, Line(item), "severity entry must be {when, level}");
                            var when = Get(im, "when") ?? throw new RuleValidationException(file, Line(im), "severity entry needs 'when'");
                            var lv = Scalar(file, im, "level", required: true);
                            if (!SeverityNames.TryParse(lv, out var sl)) throw new RuleValidationException(file, Line(Get(im, "level")!), $"unknown level '{lv}'");
                            severityRules.Add(new SeverityRuleDef(when, sl, Line(im)));
                        }
                        break;
                    default:
                        throw new RuleValidationException(file, Line(kv.Key), $"unknown key 'identiguard.{key}'");
                }
            }
        }

        CorrelationDef? corr = null;
        if (correlation is not null)
            corr = ParseCorrelation(file, correlation);

        var descr = Scalar(file, map, "description") ?? "";
        return new RuleDef
        {
            File = file,
            Line = Line(map),
            Id = id,
            Name = Scalar(file, map, "name")?.Trim(),
            Title = title,
            Description = descr.Trim(),
            Level = level,
            References = StringList(file, map, "references"),
            Tactics = tactics,
            Techniques = techniques,
            FalsePositives = StringList(file, map, "falsepositives"),
            EnabledByDefault = enabled,
            Parameters = parameters,
            Dedup = dedup,
            GroupBy = groupBy,
            SeverityRules = severityRules,
            Detection = detection as YamlMappingNode,
            DetectionLine = detection is null ? 0 : Line(detection),
            Correlation = corr,
        };
    }

    private static CorrelationDef ParseCorrelation(string file, YamlNode node)
    {
        if (node is not YamlMappingNode m) throw new RuleValidationException(file, Line(node), "'correlation' must be a mapping");
        var type = Scalar(file, m, "type", required: true)!;
        if (!CorrelationTypes.Contains(type))
            throw new RuleValidationException(file, Line(Get(m, "type")!), $"unknown correlation type '{type}' (event_count, value_count, temporal, temporal_ordered, first_seen, impossible_travel, absence, repeat_until_success)");
        var c = new CorrelationDef { Type = type, Line = Line(m) };
        bool hasTimespan = false;
        foreach (var kv in m.Children)
        {
            var key = (kv.Key as YamlScalarNode)?.Value;
            var v = kv.Value;
            switch (key)
            {
                case "type": break;
                case "rules":
                    if (v is YamlScalarNode rs && !string.IsNullOrWhiteSpace(rs.Value)) c.Rules.Add((rs.Value!, Line(rs)));
                    else if (v is YamlSequenceNode rseq)
                        foreach (var r in rseq)
                            c.Rules.Add(((r as YamlScalarNode)?.Value ?? throw new RuleValidationException(file, Line(r), "correlation 'rules' must list rule names or ids"), Line(r)));
                    else throw new RuleValidationException(file, Line(v), "correlation 'rules' must list rule names or ids");
                    break;
                case "group-by": c.GroupBy = FieldList(file, v, "group-by"); break;
                case "timespan": c.Timespan = ParseDuration(file, v, "timespan"); hasTimespan = true; break;
                case "generate":
                    if (v is not YamlScalarNode gs || !bool.TryParse(gs.Value, out var gen)) throw new RuleValidationException(file, Line(v), "'generate' must be true or false");
                    c.Generate = gen;
                    break;
                case "condition":
                    if (v is not YamlMappingNode cm) throw new RuleValidationException(file, Line(v), "correlation 'condition' must be a mapping like {gte: 5}");
                    foreach (var ckv in cm.Children)
                    {
                        var op = (ckv.Key as YamlScalarNode)?.Value;
                        if (op == "field") { c.ConditionField = (ckv.Value as YamlScalarNode)?.Value; continue; }
                        if (op is not ("gt" or "gte" or "lt" or "lte" or "eq"))
                            throw new RuleValidationException(file, Line(ckv.Key), $"unknown condition operator '{op}' (gt, gte, lt, lte, eq, field)");
                        if (ckv.Value is not YamlScalarNode ns || !double.TryParse(ns.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var num))
                            throw new RuleValidationException(file, Line(ckv.Value), $"condition '{op}' needs a number");
                        c.Condition[op] = num;
                    }
                    break;
                case "field": c.Fields = FieldList(file, v, "field"); break;
                case "mode":
                    c.Mode = (v as YamlScalarNode)?.Value ?? "";
                    if (c.Mode is not ("tuple" or "any" or "all")) throw new RuleValidationException(file, Line(v), "'mode' must be tuple, any or all");
                    break;
                case "history": c.History = ParseDuration(file, v, "history"); break;
                case "learning": c.Learning = ParseDuration(file, v, "learning"); break;
                case "new-entity":
                    var ne = (v as YamlScalarNode)?.Value;
                    if (ne is not ("ignore" or "alert")) throw new RuleValidationException(file, Line(v), "'new-entity' must be ignore or alert");
                    c.AlertNewEntity = ne == "alert";
                    break;
                case "max-speed-kmh": c.MaxSpeedKmh = Number(file, v, key); break;
                case "min-distance-km": c.MinDistanceKm = Number(file, v, key); break;
                case "excluded-level":
                    if (!SeverityNames.TryParse((v as YamlScalarNode)?.Value, out var el)) throw new RuleValidationException(file, Line(v), "unknown excluded-level");
                    c.ExcludedLevel = el;
                    break;
                case "exclude":
                    if (v is not YamlMappingNode ex) throw new RuleValidationException(file, Line(v), "'exclude' must be a mapping {proxy, cidrs, asns}");
                    foreach (var e in ex.Children)
                    {
                        switch ((e.Key as YamlScalarNode)?.Value)
                        {
                            case "proxy":
                                if (e.Value is not YamlScalarNode ps || !bool.TryParse(ps.Value, out var px)) throw new RuleValidationException(file, Line(e.Value), "'exclude.proxy' must be true or false");
                                c.ExcludeProxy = px; break;
                            case "cidrs": c.ExcludeCidrs = e.Value; break;
                            case "asns": c.ExcludeAsns = e.Value; break;
                            default: throw new RuleValidationException(file, Line(e.Key), $"unknown key 'exclude.{(e.Key as YamlScalarNode)?.Value}'");
                        }
                    }
                    break;
                case "aliases":
                    throw new RuleValidationException(file, Line(kv.Key), "correlation 'aliases' is not supported");
                default:
                    throw new RuleValidationException(file, Line(kv.Key), $"unknown correlation key '{key}'");
            }
        }
        if (c.Rules.Count == 0) throw new RuleValidationException(file, Line(m), "correlation needs 'rules'");
        bool needsTimespan = type is "event_count" or "value_count" or "temporal" or "temporal_ordered" or "absence" or "repeat_until_success";
        if (needsTimespan && !hasTimespan) throw new RuleValidationException(file, Line(m), $"correlation type '{type}' needs 'timespan'");
        if (!hasTimespan && type == "impossible_travel") c.Timespan = TimeSpan.FromDays(1);
        if (type is "event_count" or "value_count" or "repeat_until_success" && c.Condition.Count == 0)
            throw new RuleValidationException(file, Line(m), $"correlation type '{type}' needs a 'condition' such as {{gte: 5}}");
        if (type == "value_count" && string.IsNullOrEmpty(c.ConditionField))
            throw new RuleValidationException(file, Line(m), "value_count needs 'condition.field'");
        if (type == "first_seen" && c.Fields.Length == 0)
            throw new RuleValidationException(file, Line(m), "first_seen needs 'field'");
        if (type is "absence" or "repeat_until_success" && c.Rules.Count != 2)
            throw new RuleValidationException(file, Line(m), $"{type} needs exactly two rules [{(type == "absence" ? "a, b" : "failure, success")}]");
        if (type is "temporal" or "temporal_ordered" && c.Rules.Count < 2)
            throw new RuleValidationException(file, Line(m), $"{type} needs at least two rules");
        return c;
    }

    private static double Number(string file, YamlNode v, string key)
    {
        if (v is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        throw new RuleValidationException(file, Line(v), $"'{key}' must be a number");
    }
}
