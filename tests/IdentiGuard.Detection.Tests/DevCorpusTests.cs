using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Detection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace IdentiGuard.Detection.Tests;

/// <summary>tests/corpus/dev.jsonl: the built-in rule referencing <c>panther:&lt;rule_id&gt;</c> must fire on positive rows
/// and stay silent on negative rows. Rows are normalised (see <see cref="DevCorpus.Normalise"/>).</summary>
public static class DevCorpus
{
    public static readonly DateTime Fallback = new(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public sealed record Row(int Line, string RuleId, string TestName, bool Expected, JsonObject Event, JsonArray? Mocks);

    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "corpus", "dev.jsonl");

    public static List<Row> Rows()
    {
        var rows = new List<Row>();
        int n = 0;
        foreach (var line in File.ReadLines(Path))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var o = JsonNode.Parse(line)!.AsObject();
            rows.Add(new Row(n, (string)o["rule_id"]!, (string)o["test_name"]!, (bool)o["expected"]!, o["event"]!.AsObject(), o["mocks"] as JsonArray));
        }
        return rows;
    }

    /// <summary>Rules to assert on: emitting rules referencing panther:id, or the emitting correlations consuming them.</summary>
    public static List<RuleInfo> TargetRules(RulePack pack, string pantherId)
    {
        var refd = pack.Rules.Where(r => r.References.Any(x => string.Equals(x, "panther:" + pantherId, StringComparison.OrdinalIgnoreCase))).ToList();
        var result = new List<RuleInfo>();
        foreach (var r in refd)
        {
            if (r.EmitsAlerts) result.Add(r);
            else result.AddRange(pack.Rules.Where(c => c.ConsumesRules.Contains(r.Id)));
        }
        return result.Distinct().ToList();
    }

    /// <summary>Threshold of an event_count correlation among the targets (1 when none).</summary>
    public static int Threshold(RulePack pack, IEnumerable<RuleInfo> targets, out TimeSpan window)
    {
        window = TimeSpan.Zero;
        int best = 1;
        foreach (var t in targets)
        {
            var def = pack.Defs.FirstOrDefault(d => d.Id == t.Id)?.Correlation;
            if (def is null || def.Type != "event_count") continue;
            int min = 1;
            foreach (var (op, v) in def.Condition)
                min = op switch { "gt" => (int)Math.Floor(v) + 1, "gte" or "eq" => (int)Math.Ceiling(v), _ => min };
            if (min > best) { best = min; window = def.Timespan; }
        }
        return best;
    }

    /// <summary>Builds the normalised event sequence for one row.</summary>
    public static List<JsonObject> Normalise(Row row, int repeat)
    {
        var ev = (JsonObject)row.Event.DeepClone();
        var published = ParseTime(ev["published"]) ?? ParseTime(ev["p_event_time"]) ?? Fallback;
        MapEnrichment(ev);
        foreach (var k in ev.Select(kv => kv.Key).Where(k => k.StartsWith("p_", StringComparison.Ordinal)).ToList()) ev.Remove(k);
        ev["published"] = Iso(published);

        var events = new List<JsonObject>();
        foreach (var prior in MockEvents(row, ev, published)) events.Add(prior);
        for (int i = 0; i < repeat; i++)
        {
            var copy = (JsonObject)ev.DeepClone();
            copy["uuid"] = Guid.NewGuid().ToString();
            copy["published"] = Iso(published.AddSeconds(i));
            events.Add(copy);
        }
        return events;
    }

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTime? ParseTime(JsonNode? n)
    {
        if (n is not JsonValue v || !v.TryGetValue<string>(out var s)) return null;
        try { return OktaEvent.Parse("{\"uuid\":\"x\",\"published\":" + JsonSerializer.Serialize(s) + "}").Published; }
        catch (FormatException) { return null; }
    }

    private static JsonObject Obj(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject o) return o;
        var n = new JsonObject();
        parent[key] = n;
        return n;
    }

    /// <summary>Panther p_enrichment → the Okta fields that carry the same fact.</summary>
    private static void MapEnrichment(JsonObject ev)
    {
        if (ev["p_enrichment"] is not JsonObject enr) return;
        if (enr["ipinfo_location"]?["client.ipAddress"] is JsonObject loc)
        {
            var client = Obj(ev, "client");
            client["geographicalContext"] = GeoFrom(loc);
        }
        if (enr["ipinfo_privacy"]?["client.ipAddress"] is JsonObject priv)
        {
            bool anon = new[] { "vpn", "proxy", "relay", "tor" }.Any(k => priv[k] is JsonValue b && b.TryGetValue<bool>(out var x) && x);
            var sc = Obj(ev, "securityContext");
            sc["isProxy"] = anon;
            var service = (string?)priv["service"];
            var ipChain = new JsonArray(new JsonObject
            {
                ["ip"] = (string?)ev["client"]?["ipAddress"],
                ["ipDetails"] = new JsonObject
                {
                    ["ipServiceCategories"] = new JsonArray(new[] { "vpn", "proxy", "relay", "tor" }
                        .Where(k => priv[k] is JsonValue b && b.TryGetValue<bool>(out var x) && x)
                        .Select(k => (JsonNode)new JsonObject
                        {
                            ["type"] = k switch { "vpn" => "VPN", "proxy" => "Proxy", "tor" => "Tor", _ => "Relay" },
                            ["operator"] = service,
                            ["isAnonymous"] = true,
                        }).ToArray()),
                },
            });
            if (Obj(ev, "request")["ipChain"] is null) Obj(ev, "request")["ipChain"] = ipChain;
        }
        if (enr["ipinfo_asn"]?["client.ipAddress"] is JsonObject asn)
        {
            var sc = Obj(ev, "securityContext");
            var a = ((string?)asn["asn"] ?? "").TrimStart('A', 'S');
            if (long.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out var num)) sc["asNumber"] = num;
            sc["asOrg"] = (string?)asn["name"];
            sc["domain"] = (string?)asn["domain"];
        }
    }

    private static JsonObject GeoFrom(JsonObject loc)
    {
        static double? D(JsonNode? n) => n is JsonValue v && (v.TryGetValue<double>(out var d) || (v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d))) ? d : null;
        return new JsonObject
        {
            ["city"] = (string?)loc["city"],
            ["state"] = (string?)loc["region"],
            ["country"] = (string?)loc["country"],
            ["postalCode"] = (string?)loc["postal_code"],
            ["geolocation"] = new JsonObject { ["lat"] = D(loc["lat"]), ["lon"] = D(loc["lng"]) },
        };
    }

    /// <summary>Mocks that encode previous state become preceding events.</summary>
    private static IEnumerable<JsonObject> MockEvents(Row row, JsonObject ev, DateTime published)
    {
        if (row.Mocks is null) yield break;
        foreach (var m in row.Mocks.OfType<JsonObject>())
        {
            if ((string?)m["objectName"] != "get_string_set") continue;
            var rv = (string?)m["returnValue"];
            if (string.IsNullOrWhiteSpace(rv)) continue;
            var arr = JsonNode.Parse(rv) as JsonArray;
            if (arr is null || arr.Count == 0) continue;
            if (arr[0] is JsonObject prevLogin)
            {
                // previous login location (impossible travel)
                foreach (var p in arr.OfType<JsonObject>())
                {
                    var prev = (JsonObject)ev.DeepClone();
                    prev["uuid"] = Guid.NewGuid().ToString();
                    prev["published"] = Iso(ParseTime(p["p_event_time"]) ?? published.AddHours(-2));
                    var client = Obj(prev, "client");
                    client["geographicalContext"] = GeoFrom(p);
                    client["ipAddress"] = "198.51.100.23";
                    prev["securityContext"] = new JsonObject { ["isProxy"] = false };
                    prev.Remove("request");
                    yield return prev;
                }
            }
            else
            {
                // previous session fingerprint: [asn, ip, "user_agent:<ua>", browser, os]
                var vals = arr.Select(x => (string?)x ?? "").ToList();
                var prev = (JsonObject)ev.DeepClone();
                prev["uuid"] = Guid.NewGuid().ToString();
                prev["published"] = Iso(published.AddMinutes(-5));
                var sc = Obj(prev, "securityContext");
                if (long.TryParse(vals.ElementAtOrDefault(0), NumberStyles.Integer, CultureInfo.InvariantCulture, out var asn)) sc["asNumber"] = asn;
                var client = Obj(prev, "client");
                if (vals.Count > 1) client["ipAddress"] = vals[1];
                var ua = Obj(client, "userAgent");
                if (vals.Count > 2) ua["rawUserAgent"] = vals[2].StartsWith("user_agent:", StringComparison.Ordinal) ? vals[2]["user_agent:".Length..] : vals[2];
                if (vals.Count > 3) ua["browser"] = vals[3];
                if (vals.Count > 4) ua["os"] = vals[4];
                yield return prev;
            }
        }
    }

    public static DetectionSettings Settings() => new(null, null,
        RuleCases.AllParameters().ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value), RunDisabledRules: true);
}

public class DevCorpusTests
{
    public static IEnumerable<object[]> RowIds() => DevCorpus.Rows().Select(r => new object[] { r.Line, $"{r.RuleId} :: {r.TestName} ({(r.Expected ? "fire" : "silent")})" });

    private static (List<RuleInfo> Targets, List<JsonObject> Events, DevCorpus.Row Row) Prepare(int line)
    {
        var row = DevCorpus.Rows().Single(r => r.Line == line);
        var pack = RulePack.BuiltIn();
        var targets = DevCorpus.TargetRules(pack, row.RuleId);
        Assert.True(targets.Count > 0, $"no built-in rule has references: [panther:{row.RuleId}] (dev.jsonl line {line}, '{row.TestName}')");
        var repeat = DevCorpus.Threshold(pack, targets, out _);
        return (targets, DevCorpus.Normalise(row, repeat), row);
    }

    [Theory]
    [MemberData(nameof(RowIds))]
    public void Dev_row(int line, string name)
    {
        var (targets, events, row) = Prepare(line);
        var d = new TenantDetector(RulePack.BuiltIn(), DevCorpus.Settings(), new FakeTimeProvider(DevCorpus.Fallback));
        var findings = new List<Finding>();
        foreach (var e in events) findings.AddRange(d.Observe(OktaEvent.Parse(e.ToJsonString())));
        findings.AddRange(d.Flush(DateTime.MaxValue));
        var ids = targets.Select(t => t.Id).ToHashSet();
        var hits = findings.Where(f => ids.Contains(f.RuleId)).ToList();
        if (row.Expected)
            Assert.True(hits.Count > 0, $"{name}: expected one of [{string.Join(", ", ids)}] to fire; fired: [{string.Join(", ", findings.Select(f => f.RuleId).Distinct())}]");
        else
            Assert.True(hits.Count == 0, $"{name}: expected [{string.Join(", ", ids)}] silent; got: {string.Join(" | ", hits.Select(h => h.RuleId + ": " + h.Explanation))}");
    }

    [Theory]
    [MemberData(nameof(RowIds))]
    public async Task Dev_row_via_cli(int line, string name)
    {
        var (targets, events, row) = Prepare(line);
        var file = Path.Combine(Path.GetTempPath(), $"ig-dev-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, events.Select(e => e.ToJsonString()));
        try
        {
            var args = new List<string> { "detect", "--input", file, "--all-rules" };
            foreach (var (rule, ps) in RuleCases.AllParameters())
                foreach (var (k, v) in ps) { args.Add("--param"); args.Add($"{rule}:{k}={v}"); }
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var rc = await DetectCommand.RunAsync([.. args], stdout, stderr);
            Assert.True(rc == 0, $"exit {rc}: {stderr}");
            var fired = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("ruleId").GetString()).ToHashSet();
            bool hit = targets.Any(t => fired.Contains(t.Id));
            Assert.True(hit == row.Expected, $"{name}: CLI verdict {(hit ? "fire" : "silent")}, expected {(row.Expected ? "fire" : "silent")}; fired: [{string.Join(", ", fired)}]");
        }
        finally { File.Delete(file); }
    }
}
