using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Detection;

/// <summary>Attacks delivered through Okta's real hook path raise one explained detection alert each.</summary>
public sealed class DetectionEndToEndTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-30);

    internal static JsonObject PushAttempt(int second, string result, string user = "sam.t@acme.example") => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.authentication.auth_via_mfa",
        DisplayMessage = "Authentication of user via MFA",
        Actor = LogEventFactory.UserActor("00u1sam", user, "Sam T"),
        OutcomeResult = result,
        OutcomeReason = result == "FAILURE" ? "INVALID_CREDENTIALS" : null,
        ClientIp = "45.86.200.12",
        DebugData = new JsonObject { ["factor"] = "OKTA_VERIFY_PUSH" },
        Published = Start.AddSeconds(second),
        Uuid = $"push-{user}-{second}",
    });

    private static JsonObject SuperAdminGrant() => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.account.privilege.grant",
        DisplayMessage = "Grant user privilege",
        Actor = LogEventFactory.UserActor("00u1adm", "it.admin@acme.example", "IT Admin"),
        Targets = [LogEventFactory.Target("00u2bob", "User", "bob@acme.example", "Bob")],
        DebugData = new JsonObject { ["privilegeGranted"] = "Super administrator" },
        Published = Start.AddMinutes(5),
        Uuid = "grant-bob-1",
    });

    private static async Task<List<JsonElement>> DetectionsAsync(TestOrg org)
        => (await org.AlertsAsync("?kind=Detection&take=200")).GetProperty("items").EnumerateArray().ToList();

    private static async Task SendAsync(TestOrg org, IEnumerable<JsonObject> events)
    {
        foreach (var e in events) await org.Okta.EmitAsync(e);
        await org.Okta.WhenDeliveriesIdleAsync();
    }

    [Fact]
    public async Task PushFatigueAndAdminGrant_EachRaiseOneExplainedDetection_AndReplayRaisesNothingNew()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var attack = Enumerable.Range(0, 5).Select(i => PushAttempt(i * 10, "FAILURE")).Append(PushAttempt(60, "SUCCESS")).Append(SuperAdminGrant()).ToList();

        await SendAsync(org, attack);
        var detections = await TestOrg.EventuallyAsync(() => DetectionsAsync(org),
            d => d.Any(a => a.GetProperty("ruleId").GetString() == "okta-mfa-push-fatigue-success") && d.Any(a => a.GetProperty("ruleId").GetString() == "okta-admin-role-assigned"));

        var fatigue = Assert.Single(detections, a => a.GetProperty("ruleId").GetString() == "okta-mfa-push-fatigue-success");
        var grant = Assert.Single(detections, a => a.GetProperty("ruleId").GetString() == "okta-admin-role-assigned");
        Assert.Equal("Critical", grant.GetProperty("severity").GetString());
        foreach (var alert in new[] { fatigue, grant })
        {
            var detail = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{alert.GetProperty("id").GetGuid()}"));
            Assert.False(string.IsNullOrWhiteSpace(detail.GetProperty("explanation").GetString()));
            Assert.NotEmpty(detail.GetProperty("events").EnumerateArray());
            Assert.NotEmpty(detail.GetProperty("references").EnumerateArray());
        }

        // Okta delivers at least once: the same deliveries again change nothing.
        var before = detections.Select(a => (a.GetProperty("id").GetGuid(), a.GetProperty("count").GetInt32())).OrderBy(x => x.Item1).ToList();
        await SendAsync(org, attack.Select(e => (JsonObject)e.DeepClone()));
        await Task.Delay(1500);
        var after = (await DetectionsAsync(org)).Select(a => (a.GetProperty("id").GetGuid(), a.GetProperty("count").GetInt32())).OrderBy(x => x.Item1).ToList();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task RestartInTheMiddleOfAThresholdWindow_NeitherLosesNorDuplicatesTheAlert()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();

        await SendAsync(org, Enumerable.Range(0, 4).Select(i => PushAttempt(i * 10, "FAILURE")));
        await TestOrg.EventuallyAsync(() => org.AlertsAsync("?kind=MonitoredEvent"), a => a.GetProperty("items").EnumerateArray().Any(x => x.GetProperty("count").GetInt32() == 4));
        Assert.Empty(await DetectionsAsync(org));

        await org.RestartAppAsync();
        await SendAsync(org, [PushAttempt(60, "SUCCESS")]);
        var detections = await TestOrg.EventuallyAsync(() => DetectionsAsync(org), d => d.Any(a => a.GetProperty("ruleId").GetString() == "okta-mfa-push-fatigue-success"));
        var fatigue = Assert.Single(detections, a => a.GetProperty("ruleId").GetString() == "okta-mfa-push-fatigue-success");
        // The failures were stored and processed before the restart: the alert finds them in the store as its evidence.
        var detail = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{fatigue.GetProperty("id").GetGuid()}"));
        Assert.Equal(new[] { 0, 10, 20, 30, 60 }.Select(second => PushAttempt(second, "SUCCESS")["uuid"]!.GetValue<string>()).Order(),
            detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("uuid").GetString()!).Order());

        // A second restart replays the window again: still one alert.
        await org.RestartAppAsync();
        await Task.Delay(1500);
        Assert.Single(await DetectionsAsync(org), a => a.GetProperty("ruleId").GetString() == "okta-mfa-push-fatigue-success");
    }
}
