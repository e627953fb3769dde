using System.Globalization;
using System.Text.Json.Nodes;
using IdentiGuard.Detection;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace IdentiGuard.Detection.Tests;

/// <summary>Loads tests/IdentiGuard.Detection.Tests/RuleCases/**/*.yml (format: docs/rules.md §9).</summary>
public static class RuleCases
{
    public static readonly DateTime DefaultStart = new(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc);

    public sealed record Case(string File, string Rule, string Name, string Expect, int? Count, List<JsonObject> Events,
        Dictionary<string, string> Parameters);

    public static string Dir => Path.Combine(AppContext.BaseDirectory, "RuleCases");

    private static readonly Lazy<List<Case>> Cached = new(LoadUncached);

    public static List<Case> Load() => Cached.Value;

    private static List<Case> LoadUncached()
    {
        var cases = new List<Case>();
        if (!Directory.Exists(Dir)) return cases;
        foreach (var file in Directory.EnumerateFiles(Dir, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
                     .OrderBy(f => f, StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(Dir, file);
            var ys = new YamlStream();
            ys.Load(new StringReader(File.ReadAllText(file)));
            foreach (var doc in ys.Documents)
            {
                if (doc.RootNode is not YamlMappingNode root) continue;
                var rule = Scalar(root, "rule") ?? throw new InvalidDataException($"{rel}: missing 'rule'");
                var parameters = ParametersOf(root);
                if (Get(root, "cases") is not YamlSequenceNode seq) throw new InvalidDataException($"{rel}: missing 'cases'");
                foreach (var c in seq.OfType<YamlMappingNode>())
                {
                    var name = Scalar(c, "name") ?? "(unnamed)";
                    var expect = Scalar(c, "expect") ?? throw new InvalidDataException($"{rel}: case '{name}' has no 'expect'");
                    int? count = Scalar(c, "count") is { } cs ? int.Parse(cs, CultureInfo.InvariantCulture) : null;
                    var start = Scalar(c, "start") is { } st ? DateTime.Parse(st, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : DefaultStart;
                    var events = BuildEvents(Get(c, "events") as YamlSequenceNode, start);
                    cases.Add(new Case(rel, rule, name, expect, count, events, parameters));
                }
            }
        }
        return cases;
    }

    public static Dictionary<string, Dictionary<string, string>> AllParameters()
    {
        var all = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var c in Load())
        {
            if (c.Parameters.Count == 0) continue;
            if (!all.TryGetValue(c.Rule, out var d)) all[c.Rule] = d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in c.Parameters) d[k] = v;
        }
        return all;
    }

    private static Dictionary<string, string> ParametersOf(YamlMappingNode root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Get(root, "parameters") is not YamlMappingNode pm) return result;
        foreach (var kv in pm.Children)
        {
            var name = ((YamlScalarNode)kv.Key).Value!;
            result[name] = kv.Value switch
            {
                YamlSequenceNode s => new JsonArray(s.Select(x => (JsonNode?)JsonValue.Create(((YamlScalarNode)x).Value)).ToArray()).ToJsonString(),
                YamlScalarNode s => s.Value ?? "",
                _ => "",
            };
        }
        return result;
    }

    private static YamlNode? Get(YamlMappingNode m, string key)
        => m.Children.FirstOrDefault(kv => (kv.Key as YamlScalarNode)?.Value == key).Value;

    private static string? Scalar(YamlMappingNode m, string key) => (Get(m, key) as YamlScalarNode)?.Value;

    private static List<JsonObject> BuildEvents(YamlSequenceNode? seq, DateTime start)
    {
        var list = new List<JsonObject>();
        if (seq is null) return list;
        DateTime? prev = null;
        int index = 0;
        foreach (var item in seq.OfType<YamlMappingNode>())
        {
            var obj = (JsonObject)ToJson(item)!;
            int repeat = 1;
            if (obj["repeat"] is JsonValue rv) { repeat = int.Parse(rv.ToString(), CultureInfo.InvariantCulture); obj.Remove("repeat"); }
            TimeSpan? offset = null;
            if (obj["offset"] is JsonValue ov)
            {
                if (!RuleDurations.TryParse(ov.ToString(), out var o)) throw new InvalidDataException($"bad offset '{ov}'");
                offset = o;
                obj.Remove("offset");
            }
            DateTime? given = null;
            if (obj["published"] is JsonValue pv)
                given = DateTime.Parse(pv.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            for (int r = 0; r < repeat; r++)
            {
                DateTime t;
                if (r == 0 && given is { } g) t = g;
                else if (r == 0 && offset is { } off) t = (prev ?? start) + off;
                else if (r > 0) t = prev!.Value.AddSeconds(1);
                else t = prev is { } p ? p.AddSeconds(1) : start.AddSeconds(index);
                var copy = (JsonObject)obj.DeepClone();
                copy["uuid"] = Guid.NewGuid().ToString();
                copy["published"] = t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                list.Add(copy);
                prev = t;
                index++;
            }
        }
        return list;
    }

    internal static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Select(ToJson).ToArray()),
        YamlScalarNode sc => Scalar(sc),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        var v = s.Value;
        if (s.Style != YamlDotNet.Core.ScalarStyle.Plain) return JsonValue.Create(v);
        if (v is null or "" or "null" or "~") return null;
        if (v is "true" or "True") return JsonValue.Create(true);
        if (v is "false" or "False") return JsonValue.Create(false);
        if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && v.Any(char.IsAsciiDigit)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    public static DetectionSettings SettingsFor(string rule, Dictionary<string, string> parameters)
    {
        var all = AllParameters();
        all[rule] = parameters.Count > 0 ? parameters : all.GetValueOrDefault(rule) ?? [];
        return new DetectionSettings(null, null,
            all.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value), RunDisabledRules: true);
    }
}

internal static class RuleDurations
{
    public static bool TryParse(string s, out TimeSpan ts)
    {
        ts = default;
        if (string.IsNullOrWhiteSpace(s)) return false;
        var unit = s[^1];
        if (!double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
        ts = unit switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => TimeSpan.MinValue };
        return ts != TimeSpan.MinValue;
    }
}

public class RuleCaseTests
{
    public static IEnumerable<object[]> CaseNames()
    {
        var cases = RuleCases.Load();
        if (cases.Count == 0) { yield return ["(no rule cases yet)", ""]; yield break; }
        foreach (var c in cases) yield return [c.File, c.Rule + " :: " + c.Name];
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rule_case(string file, string name)
    {
        if (name.Length == 0) return;
        var c = RuleCases.Load().First(x => x.File == file && x.Rule + " :: " + x.Name == name);
        var pack = RulePack.BuiltIn();
        Assert.True(pack.Rules.Any(r => r.Id == c.Rule), $"{file}: rule '{c.Rule}' is not in the built-in pack");
        var d = new TenantDetector(pack, RuleCases.SettingsFor(c.Rule, c.Parameters), new FakeTimeProvider(RuleCases.DefaultStart));
        var findings = new List<Finding>();
        foreach (var e in c.Events) findings.AddRange(d.Observe(OktaEvent.Parse(e.ToJsonString())));
        findings.AddRange(d.Flush(DateTime.MaxValue));
        var mine = findings.Where(f => f.RuleId == c.Rule).ToList();
        var others = string.Join(", ", findings.Select(f => f.RuleId).Distinct());
        switch (c.Expect)
        {
            case "fire":
                Assert.True(mine.Count > 0, $"{file}: '{c.Name}': expected {c.Rule} to fire; fired: [{others}]");
                if (c.Count is { } n) Assert.True(n == mine.Count, $"{file}: '{c.Name}': expected {n} alerts of {c.Rule}, got {mine.Count}");
                break;
            case "silent":
                Assert.True(mine.Count == 0, $"{file}: '{c.Name}': expected {c.Rule} silent, got {mine.Count}: {string.Join(" | ", mine.Select(m => m.Explanation))}");
                break;
            default:
                Assert.Fail($"{file}: '{c.Name}': expect must be fire or silent, got '{c.Expect}'");
                break;
        }
    }

    [Fact]
    public void Every_built_in_rule_has_a_fire_and_a_silent_case()
    {
        var cases = RuleCases.Load();
        var missing = new List<string>();
        foreach (var r in RulePack.BuiltIn().Rules.Where(r => r.EmitsAlerts))
        {
            bool fire = cases.Any(c => c.Rule == r.Id && c.Expect == "fire");
            bool silent = cases.Any(c => c.Rule == r.Id && c.Expect == "silent");
            if (!fire || !silent) missing.Add($"{r.Id} ({(fire ? "" : "no fire case ")}{(silent ? "" : "no silent case")})".Replace(" )", ")"));
        }
        Assert.True(missing.Count == 0, "rules without cases: " + string.Join(", ", missing));
    }

    [Fact]
    public void Built_in_pack_loads()
    {
        var pack = RulePack.BuiltIn();
        Assert.All(pack.Rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Title)));
    }
}
