using System.Globalization;
using System.Text.Json;
using IdentiGuard.Detection;
using IdentiGuard.Server.Demo;

namespace IdentiGuard.Tests.Demo;

/// <summary>
/// The built-in scenarios run through the detection engine offline (the `detect` command): each attack raises the rules it
/// promises, and the working day alone raises nothing above informational.
/// </summary>
public sealed class DemoScenarioTests
{
    public static TheoryData<string> Scenarios() => new(DemoScenario.BuiltInNames());

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task EachAttack_TriggersTheRulesItExpects(string name)
    {
        var scenario = DemoScenario.Load(DemoScenario.Resolve(name));
        Assert.NotEmpty(scenario.Attacks);
        var alerts = await DetectAsync(scenario);

        foreach (var attack in scenario.Attacks)
        {
            Assert.NotEmpty(attack.Expect);
            foreach (var rule in attack.Expect)
                Assert.True(alerts.Any(a => a.RuleId == rule), $"Attack {attack.Id} did not raise {rule}. Raised: {string.Join(", ", alerts.Select(a => a.RuleId).Distinct())}");
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task TheWorkingDayAlone_RaisesNoAlertAboveInformational(string name)
    {
        var scenario = DemoScenario.Load(DemoScenario.Resolve(name)) with { Attacks = [] };
        var alerts = await DetectAsync(scenario);
        var loud = alerts.Where(a => a.Severity != "informational").Select(a => $"{a.RuleId} ({a.Severity})").Distinct().ToList();
        Assert.True(loud.Count == 0, "The working day raised: " + string.Join(", ", loud));
    }

    [Fact]
    public void TheWorkingDay_CoversAFewHundredUsersInSeveralCountries()
    {
        var scenario = DemoScenario.Load(DemoScenario.Resolve("acme-workday"));
        var timeline = DemoTimeline.Build(scenario, Population(scenario));
        var signIns = timeline.Where(e => e.Phase == DemoTimeline.WorkdayPhase && (string?)e.Event["eventType"] == "user.session.start").ToList();
        Assert.True(signIns.Select(e => (string?)e.Event["actor"]!["alternateId"]).Distinct().Count() >= 300);
        Assert.True(signIns.Select(e => (string?)e.Event["client"]!["geographicalContext"]!["country"]).Distinct().Count() >= 5);
        // Timeline order is what the player relies on.
        Assert.Equal(timeline.OrderBy(e => e.At).Select(e => e.At), timeline.Select(e => e.At));
    }

    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("00:01:30", 90_000)]
    public void Durations_ReadAsWritten(string text, int milliseconds)
        => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DemoScenario.ParseDuration(text));

    [Fact]
    public void AScenarioWithAnUnknownReference_IsRefusedWithWhere()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-scenario-{Guid.NewGuid():N}.json");
        var json = File.ReadAllText(DemoScenario.Resolve("acme-workday")).Replace("\"actor\": \"morgan\"", "\"actor\": \"nobody\"");
        File.WriteAllText(path, json);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => DemoScenario.Load(path));
            Assert.Contains("actor nobody", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheDemoCommand_TurnsItsOptionsIntoHostSettings()
    {
        var output = new StringWriter();
        Assert.True(DemoCommand.TryPrepare(["--speed", "2", "--port", "5099"], output, TextWriter.Null, out var hostArgs));
        Assert.Contains("--IdentiGuard:Demo:Enabled=true", hostArgs);
        Assert.Contains("--IdentiGuard:Demo:Speed=2", hostArgs);
        Assert.Contains("--IdentiGuard:PublicBaseUrl=http://127.0.0.1:5099", hostArgs);
        var password = hostArgs.Single(a => a.StartsWith("--IdentiGuard:Bootstrap:AdminPassword=", StringComparison.Ordinal)).Split('=', 2)[1];
        Assert.Contains(password, output.ToString());
        Assert.False(DemoCommand.TryPrepare(["--speed", "fast"], TextWriter.Null, TextWriter.Null, out _));
    }

    private static DemoPopulation Population(DemoScenario scenario)
    {
        var n = 0;
        return DemoPopulation.Create(scenario, (_, _, _) => $"00u{n++:D17}");
    }

    /// <summary>Events stamped at start + offset (speed 1), through the same engine and pack the host runs.</summary>
    private static async Task<List<(string RuleId, string Severity)>> DetectAsync(DemoScenario scenario)
    {
        var start = new DateTime(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc);
        var file = Path.Combine(Path.GetTempPath(), $"demo-{scenario.Name}-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var writer = File.CreateText(file))
            {
                foreach (var e in DemoTimeline.Build(scenario, Population(scenario)))
                {
                    e.Event["published"] = (start + e.At).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                    await writer.WriteLineAsync(e.Event.ToJsonString());
                }
            }
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = await DetectCommand.RunAsync(["--input", file], output, error);
            Assert.True(exit == 0, error.ToString());
            return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonDocument.Parse(line).RootElement)
                .Select(a => (a.GetProperty("ruleId").GetString()!, a.GetProperty("severity").GetString()!))
                .ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
