using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Detection;
using Microsoft.Extensions.Time.Testing;

namespace IdentiGuard.Detection.Tests;

internal static class T
{
    public static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static RulePack Pack(params string[] yamlDocs)
        => RulePack.Load(yamlDocs.Select((y, i) => new RuleSource($"test{i}.yml", y)), includeBuiltIn: false);

    public static TenantDetector Detector(RulePack pack, DetectionSettings? settings = null, IFirstSeenStore? store = null)
        => new(pack, settings ?? new DetectionSettings(RunDisabledRules: false), new FakeTimeProvider(Start), store);

    private static int _n;

    /// <summary>Event from a JSON object literal; uuid and published are filled when missing.</summary>
    public static OktaEvent Ev(string json, double seconds = 0, string? uuid = null)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        if (!node.ContainsKey("uuid") && !node.ContainsKey("UUID")) node["uuid"] = uuid ?? $"u-{Interlocked.Increment(ref _n)}";
        if (!node.ContainsKey("published")) node["published"] = Start.AddSeconds(seconds).ToString("O");
        return OktaEvent.Parse(node.ToJsonString());
    }

    public static List<Finding> Run(TenantDetector d, IEnumerable<OktaEvent> events, bool flush = true)
    {
        var list = new List<Finding>();
        foreach (var e in events) list.AddRange(d.Observe(e));
        if (flush) list.AddRange(d.Flush(DateTime.MaxValue));
        return list;
    }

    public static string Base(string id, string detection, string extra = "") => $"""
title: {id}
id: {id}
name: {id}
level: medium
{extra}
detection:
{detection}
""";
}
