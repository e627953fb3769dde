using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Detection;
using YamlDotNet.RepresentationModel;

namespace IdentiGuard.Benchmarks;

/// <summary>Benchmark inputs: realistic Okta events (tests/corpus/okta-samples.jsonl) re-stamped with unique uuids and
/// increasing timestamps, and rule packs (built-in, built-in + 9× generated variants over other event types).</summary>
public static class BenchData
{
    public static string FindFile(string name)
    {
        foreach (var dir in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null)
        {
            foreach (var rel in new[] { Path.Combine("tests", "corpus", name), Path.Combine("src", "Shared", name) })
                if (File.Exists(Path.Combine(d.FullName, rel))) return Path.Combine(d.FullName, rel);
            d = d.Parent;
        }
        throw new FileNotFoundException(name);
    }

    public static byte[][] Events(int count, int users = 500)
    {
        var samples = File.ReadLines(FindFile("okta-samples.jsonl"))
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonNode.Parse(l)!["event"]!.AsObject())
            .ToList();
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var result = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            var e = (JsonObject)samples[i % samples.Count].DeepClone();
            e["uuid"] = $"bench-{i:D8}";
            e["published"] = start.AddMilliseconds(i * 250L).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            // 500 users, each with a few home IPs (first-seen rules see realistic novelty, not a new IP per event)
            int user = i % users;
            if (e["actor"] is JsonObject a) a["alternateId"] = $"user{user}@example.com";
            if (e["client"] is JsonObject c) c["ipAddress"] = $"198.51.{user % 256}.{(user / 256) * 8 + (i / users) % 3}";
            result[i] = Encoding.UTF8.GetBytes(e.ToJsonString());
        }
        return result;
    }

    public static RulePack FullPack() => RulePack.BuiltIn();

    /// <summary>The built-in pack plus 9 variants of every built-in rule document, each with its <c>eventType</c>
    /// values replaced by other event types from okta-event-types.json (ids/names suffixed, correlation references
    /// rewritten), i.e. 10× the rules. A rule without an eventType constraint gets one (its variant runs over another
    /// event type).</summary>
    public static RulePack TenTimesPack(int copies = 9)
    {
        var types = JsonDocument.Parse(File.ReadAllText(FindFile("okta-event-types.json"))).RootElement
            .EnumerateArray().Select(e => e.GetProperty("type").GetString()!).ToList();
        var sources = new List<RuleSource>();
        int typeCursor = 0;
        foreach (var src in RulePack.BuiltInSources())
        {
            for (int c = 1; c <= copies; c++)
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(src.Yaml));
                foreach (var doc in stream.Documents)
                {
                    if (doc.RootNode is not YamlMappingNode root) continue;
                    Suffix(root, "id", c);
                    Suffix(root, "name", c);
                    if (root.Children.TryGetValue(new YamlScalarNode("correlation"), out var corr) && corr is YamlMappingNode cm
                        && cm.Children.TryGetValue(new YamlScalarNode("rules"), out var rules) && rules is YamlSequenceNode rs)
                        foreach (var r in rs.OfType<YamlScalarNode>()) r.Value += "_v" + c;
                    if (root.Children.TryGetValue(new YamlScalarNode("detection"), out var det) && det is YamlMappingNode dm)
                    {
                        int before = typeCursor;
                        ReplaceEventTypes(dm, types, ref typeCursor);
                        // a rule without an eventType constraint gets one: its variant runs over another event type
                        if (typeCursor == before && dm.Children.TryGetValue(new YamlScalarNode("condition"), out var cond) && cond is YamlScalarNode cs)
                        {
                            dm.Children[new YamlScalarNode("variant_event_type")] = new YamlMappingNode(new YamlScalarNode("eventType"), new YamlScalarNode(types[typeCursor++ % types.Count]));
                            cs.Value = $"({cs.Value}) and variant_event_type";
                        }
                    }
                }
                var sw = new StringWriter();
                stream.Save(sw, assignAnchors: false);
                sources.Add(new RuleSource($"variant{c}/{src.FileName}", sw.ToString()));
            }
        }
        return RulePack.Load(sources, includeBuiltIn: true);
    }

    private static void Suffix(YamlMappingNode m, string key, int c)
    {
        if (m.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s)
            s.Value += (key == "name" ? "_v" : "-v") + c;
    }

    private static void ReplaceEventTypes(YamlNode node, List<string> types, ref int cursor)
    {
        switch (node)
        {
            case YamlMappingNode m:
                foreach (var kv in m.Children)
                {
                    var key = (kv.Key as YamlScalarNode)?.Value ?? "";
                    if (key.Split('|')[0].Equals("eventType", StringComparison.OrdinalIgnoreCase))
                    {
                        if (kv.Value is YamlScalarNode s) s.Value = types[cursor++ % types.Count];
                        else if (kv.Value is YamlSequenceNode seq)
                            foreach (var item in seq.OfType<YamlScalarNode>()) item.Value = types[cursor++ % types.Count];
                    }
                    else ReplaceEventTypes(kv.Value, types, ref cursor);
                }
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq) ReplaceEventTypes(item, types, ref cursor);
                break;
        }
    }

    public static DetectionSettings AllEnabled { get; } = new(RunDisabledRules: true);
}
