using System.Diagnostics;
using System.Text.Json;

namespace IdentiGuard.Tests.Detection;

/// <summary>The documented command line itself: the server binary run as a separate process with <c>detect</c>.</summary>
public sealed class DetectCommandProcessTests
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "IdentiGuard.Server.dll");

    private static async Task<(int ExitCode, string Stdout, string Stderr)> DetectAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServerDll);
        start.ArgumentList.Add("detect");
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string CorpusFile(string name) => Path.Combine(AppContext.BaseDirectory, "corpus", name);

    [Fact]
    public async Task DevCorpusFile_PrintsOnlyAlertJsonLines_WithTheDocumentedFields()
    {
        // The corpus rows' events, minus the few whose timestamp the corpus redacted (the rule harness fills those in).
        var file = Path.GetTempFileName();
        var events = File.ReadLines(CorpusFile("dev.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("event"))
            .Where(e => e.TryGetProperty("published", out var p) && DateTime.TryParse(p.GetString(), out _))
            .Select(e => e.GetRawText());
        await File.WriteAllLinesAsync(file, events);
        var (exit, stdout, stderr) = await DetectAsync("--input", file);
        Assert.True(exit == 0, stderr);
        var alerts = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.NotEmpty(alerts);
        string[] severities = ["informational", "low", "medium", "high", "critical"];
        foreach (var alert in alerts)
        {
            Assert.False(string.IsNullOrEmpty(alert.GetProperty("ruleId").GetString()));
            Assert.False(string.IsNullOrEmpty(alert.GetProperty("title").GetString()));
            Assert.Contains(alert.GetProperty("severity").GetString(), severities);
            Assert.Equal(JsonValueKind.Array, alert.GetProperty("references").ValueKind);
            Assert.NotEmpty(alert.GetProperty("eventIds").EnumerateArray());
            Assert.EndsWith("Z", alert.GetProperty("firstSeen").GetString());
            Assert.EndsWith("Z", alert.GetProperty("lastSeen").GetString());
        }
        // A stateless positive row of the corpus is detected by the rule that references its Panther rule.
        Assert.Contains(alerts, a => a.GetProperty("references").EnumerateArray().Any(r => r.GetString() == "panther:Okta.APIKeyCreated"));
    }

    [Fact]
    public async Task UnreadableInput_ExitsWith2AndNamesTheLine()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "{\"eventType\":\"user.session.start\",\"published\":\"2026-01-01T00:00:00Z\",\"uuid\":\"a\"}\n{not json\n");
        var (exit, stdout, stderr) = await DetectAsync("--input", file);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("2", stderr);
    }
}
