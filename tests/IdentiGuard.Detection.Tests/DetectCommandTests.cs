using System.Text.Json;
using IdentiGuard.Detection;
using Xunit;

namespace IdentiGuard.Detection.Tests;

public sealed class DetectCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ig-cli-" + Guid.NewGuid().ToString("N"));

    public DetectCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "rules", "sub"));
        File.WriteAllText(Path.Combine(_dir, "rules", "sub", "login.yml"), """
title: Failed login
id: test-failed-login
name: test_failed_login
level: low
references: ['panther:Test']
tags: [attack.credential_access, attack.t1110]
detection:
  sel:
    eventType: user.session.start
    outcome.result: FAILURE
  condition: sel
---
title: Burst of failures
id: test-burst
level: high
correlation:
  type: event_count
  rules: [test_failed_login]
  group-by: [actor.alternateId]
  timespan: 5m
  condition: {gte: 2}
""");
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private async Task<(int Rc, List<JsonElement> Alerts, string Err)> Run(string content, params string[] extra)
    {
        var input = Path.Combine(_dir, "in-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(input, content);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["detect", "--input", input, "--rules", Path.Combine(_dir, "rules"), "--no-builtin", .. extra];
        var rc = await DetectCommand.RunAsync(args, stdout, stderr);
        var alerts = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (rc, alerts, stderr.ToString());
    }

    private const string E1 = """{"uuid":"e1","published":"2024-01-01T10:00:00.000Z","eventType":"user.session.start","outcome":{"result":"FAILURE"},"actor":{"alternateId":"a@x"}}""";
    private const string E2 = """{"uuid":"e2","published":"2024-01-01 10:01:00.123456789","eventType":"user.session.start","outcome":{"result":"FAILURE"},"actor":{"alternateId":"a@x"}}""";

    [Fact]
    public async Task Json_lines_produce_alert_objects()
    {
        var (rc, alerts, err) = await Run(E2 + "\n" + E1 + "\n");
        Assert.Equal(0, rc);
        var a = Assert.Single(alerts);
        Assert.Equal("test-burst", a.GetProperty("ruleId").GetString());
        Assert.Equal("Burst of failures", a.GetProperty("title").GetString());
        Assert.Equal("high", a.GetProperty("severity").GetString());
        Assert.Equal(["e1", "e2"], a.GetProperty("eventIds").EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.StartsWith("2024-01-01T10:00:00", a.GetProperty("firstSeen").GetString());
        Assert.EndsWith("Z", a.GetProperty("lastSeen").GetString());
        Assert.Equal(JsonValueKind.Array, a.GetProperty("references").ValueKind);
        Assert.Contains("events", err);
    }

    [Fact]
    public async Task Event_hook_envelope_and_json_array_and_lowercase_keys()
    {
        var env = "{\"eventType\":\"com.okta.event_hook\",\"data\":{\"events\":[" + E1 + "," + E2 + "]}}";
        Assert.Single((await Run(env)).Alerts);
        var pretty = JsonSerializer.Serialize(JsonDocument.Parse(env).RootElement, new JsonSerializerOptions { WriteIndented = true });
        Assert.Single((await Run(pretty)).Alerts);
        Assert.Single((await Run("[\n" + E1 + ",\n" + E2 + "\n]")).Alerts);
        var lower = """{"published":"2024-01-01 10:00:00","eventtype":"user.session.start","outcome":{"result":"FAILURE"},"actor":{"alternateid":"a@x"}}""";
        var lower2 = lower.Replace("10:00:00", "10:00:30");
        var (rc, alerts, _) = await Run(lower + "\n" + lower2);
        Assert.Equal(0, rc);
        var ids = Assert.Single(alerts).GetProperty("eventIds").EnumerateArray().Select(x => x.GetString()!).ToList();
        Assert.All(ids, id => Assert.StartsWith("synthetic-", id));
        // synthetic ids are deterministic
        var again = (await Run(lower + "\n" + lower2)).Alerts.Single().GetProperty("eventIds").EnumerateArray().Select(x => x.GetString()!).ToList();
        Assert.Equal(ids, again);
    }

    [Theory]
    [InlineData("okta-samples.jsonl")]
    [InlineData("event-hook-envelope-sample.json")]
    public async Task Corpus_files_are_readable_with_the_built_in_pack(string file)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var rc = await DetectCommand.RunAsync(["detect", "--input", Path.Combine(AppContext.BaseDirectory, "corpus", file), "--all-rules"], stdout, stderr);
        Assert.True(rc == 0, stderr.ToString());
        foreach (var line in stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var a = JsonDocument.Parse(line).RootElement;
            Assert.Contains(a.GetProperty("severity").GetString(), new[] { "informational", "low", "medium", "high", "critical" });
            Assert.NotEmpty(a.GetProperty("eventIds").EnumerateArray());
        }
    }

    [Fact]
    public async Task No_alerts_is_still_exit_0()
    {
        var (rc, alerts, _) = await Run(E1);
        Assert.Equal(0, rc);
        Assert.Empty(alerts);
    }

    [Fact]
    public async Task Unreadable_input_exit_2_with_line()
    {
        var (rc, alerts, err) = await Run(E1 + "\n{not json\n");
        Assert.Equal(2, rc);
        Assert.Empty(alerts);
        Assert.Contains(":2:", err);
        var (rc2, _, err2) = await Run(E1 + "\n" + E1.Replace("2024-01-01T10:00:00.000Z", "yesterday").Replace("e1", "e3") + "\n");
        Assert.Equal(2, rc2);
        Assert.Contains(":2:", err2);
        var stderr = new StringWriter();
        Assert.Equal(2, await DetectCommand.RunAsync(["detect", "--input", Path.Combine(_dir, "missing.jsonl")], new StringWriter(), stderr));
    }

    [Fact]
    public async Task Invalid_rule_file_exit_2_with_file_line_reason()
    {
        var bad = Path.Combine(_dir, "rules", "bad.yaml");
        await File.WriteAllTextAsync(bad, "title: x\nid: y\nlevel: low\ndetection:\n  sel:\n    a|nope: b\n  condition: sel\n");
        var (rc, alerts, err) = await Run(E1);
        Assert.Equal(2, rc);
        Assert.Empty(alerts);
        Assert.Contains($"{bad}:6: unknown or unsupported modifier 'nope' in 'a|nope'", err);
    }

    [Fact]
    public async Task All_rules_runs_disabled_rules()
    {
        File.WriteAllText(Path.Combine(_dir, "rules", "off.yml"), """
title: Off by default
id: test-off
level: medium
identiguard:
  enabled: false
detection:
  sel:
    eventType: user.session.start
  condition: sel
""");
        Assert.DoesNotContain((await Run(E1)).Alerts, a => a.GetProperty("ruleId").GetString() == "test-off");
        Assert.Contains((await Run(E1, "--all-rules")).Alerts, a => a.GetProperty("ruleId").GetString() == "test-off");
    }
}
