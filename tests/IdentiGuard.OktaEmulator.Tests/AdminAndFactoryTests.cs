using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class AdminAndFactoryTests
{
    [Fact]
    public async Task The_admin_page_lists_hooks_and_its_deliver_request_button_performs_a_preview()
    {
        await using var org = await TestOrg.StartAsync();
        await using var receiver = await HookReceiver.StartAsync();
        var token = await org.TokenAsync();
        var hookId = await org.CreateVerifiedHookAsync(token, receiver, "user.session.start");

        var page = await org.Http.GetStringAsync("/admin/event-hooks");
        using var post = await org.Http.PostAsync($"/admin/event-hooks/{hookId}/preview",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["eventType"] = "user.session.start", ["body"] = "" }));
        var result = await post.Content.ReadAsStringAsync();

        Assert.Contains("Event Hooks", page);
        Assert.Contains("Preview", page);
        Assert.Contains("Deliver Request", page);
        Assert.Contains("VERIFIED", page);
        Assert.Contains("<option value=\"user.session.start\">", page);
        Assert.Contains("Success", result);
        Assert.Single(receiver.Posts);
    }

    [Fact]
    public async Task The_control_plane_emits_events_and_reports_state()
    {
        await using var org = await TestOrg.StartAsync();

        using var emit = await org.Http.PostAsync("/_emulator/events",
            new StringContent("""{"eventType":"user.account.lock"}""", System.Text.Encoding.UTF8, "application/json"));
        var uuid = (await TestOrg.Json(emit))!["uuid"]!.GetValue<string>();
        var state = JsonNode.Parse(await org.Http.GetStringAsync("/_emulator/state"))!;

        Assert.Equal(200, (int)emit.StatusCode);
        Assert.Contains(org.Emulator.SystemLog, e => e["uuid"]!.GetValue<string>() == uuid);
        Assert.Equal(org.Emulator.SeedClient.ClientId, state["clientId"]!.GetValue<string>());
        Assert.Equal(1, state["systemLogCount"]!.GetValue<long>());
    }

    [Fact]
    public void The_log_event_factory_builds_a_complete_okta_shaped_event()
    {
        var user = new OktaUserFixture().User;

        var ev = LogEventFactory.Create(new LogEventSpec
        {
            EventType = "user.session.start",
            Actor = LogEventFactory.UserActor(user),
            Targets = new JsonArray(LogEventFactory.UserTarget(user)),
            OutcomeResult = "FAILURE",
            OutcomeReason = "INVALID_CREDENTIALS",
            ClientIp = "203.0.113.9",
            SecurityContext = LogEventFactory.SecurityContext(394089, "ASN 0000", "google", null, true, "HIGH", ["Anomalous Device"]),
        });

        Assert.Equal("user.session.start", ev["eventType"]!.GetValue<string>());
        Assert.Equal("0", ev["version"]!.GetValue<string>());
        Assert.Equal("User login to Okta", ev["displayMessage"]!.GetValue<string>());
        Assert.Equal(user.Id, ev["actor"]!["id"]!.GetValue<string>());
        Assert.Equal("203.0.113.9", ev["client"]!["ipAddress"]!.GetValue<string>());
        Assert.Equal("203.0.113.9", ev["request"]!["ipChain"]![0]!["ip"]!.GetValue<string>());
        Assert.Equal("INVALID_CREDENTIALS", ev["outcome"]!["reason"]!.GetValue<string>());
        Assert.Equal("HIGH", ev["securityContext"]!["risk"]!["level"]!.GetValue<string>());
        Assert.Equal(ev["transaction"]!["id"]!.GetValue<string>(), ev["debugContext"]!["debugData"]!["requestId"]!.GetValue<string>());
        Assert.Equal(0, ev["authenticationContext"]!["authenticationStep"]!.GetValue<int>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", ev["published"]!.GetValue<string>());
    }

    private sealed class OktaUserFixture
    {
        public OktaUser User { get; } = new("00uJaneDoe000000000A", "jane@example.com", "Jane", "Doe", DateTimeOffset.UtcNow);
    }
}
