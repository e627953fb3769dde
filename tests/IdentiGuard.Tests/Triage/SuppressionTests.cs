using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Server.Suppression;
using IdentiGuard.Tests.Detection;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentiGuard.Tests.Triage;

/// <summary>Suppression entries silence matching alerts where they are raised, keep counting them, and end at their expiry.</summary>
public sealed class SuppressionTests
{
    private const string MfaType = "user.authentication.auth_via_mfa";

    private static async Task<JsonElement> SuppressedAlertOfAsync(TestOrg org, string actor, Func<JsonElement, bool>? done = null)
    {
        var items = await TestOrg.EventuallyAsync(() => TriageEvents.ListAsync(org.App.Api, org.App.WorkspacePath("/alerts?suppressed=Only&take=200")),
            a => a.Any(x => x.GetProperty("actor").GetString() == actor && (done?.Invoke(x) ?? true)), TimeSpan.FromSeconds(30));
        return Assert.Single(items, x => x.GetProperty("actor").GetString() == actor);
    }

    [Fact]
    public async Task Entry_SilencesMatchingAlertsUntilItExpires_OnTheFakeClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var org = await TestOrg.StartAsync(services: s => s.AddKeyedSingleton<TimeProvider>(SuppressionMatcher.ClockKey, clock));
        await org.ConnectedTenantAsync();
        var api = org.App.Api;

        var created = await api.PostAsJsonAsync(org.App.WorkspacePath("/suppressions"),
            new { ruleId = MfaType, user = "fay@acme.example", reason = "Fay tests the MFA rollout", expiresAt = clock.GetUtcNow().UtcDateTime.AddDays(1) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var entryId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("fay@acme.example", 0), TriageEvents.MfaVerify("fay@acme.example", 2), TriageEvents.MfaVerify("gus@acme.example", 1));
        await TriageEvents.AlertOfAsync(org, "gus@acme.example");
        var silenced = await SuppressedAlertOfAsync(org, "fay@acme.example", a => a.GetProperty("suppressedCount").GetInt32() == 2);
        Assert.True(silenced.GetProperty("isSuppressed").GetBoolean());
        Assert.Equal(2, silenced.GetProperty("count").GetInt32());
        Assert.DoesNotContain(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?take=200")), a => a.GetProperty("actor").GetString() == "fay@acme.example");
        var all = await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?suppressed=Include&eventType=" + MfaType));
        Assert.True(all.Count == 2, string.Join("\n", all));
        var history = (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{silenced.GetProperty("id").GetGuid()}/history"))).EnumerateArray().ToList();
        Assert.Contains(history, h => h.GetProperty("action").GetString() == "suppressed" && h.GetProperty("actor").GetString() == "IdentiGuard");

        // Visible on the rule (the event type for monitored-event alerts) with its match count.
        var onRule = (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/suppressions?ruleId={MfaType}"))).EnumerateArray().ToList();
        var entry = Assert.Single(onRule);
        Assert.Equal(entryId, entry.GetProperty("id").GetGuid());
        Assert.True(entry.GetProperty("active").GetBoolean());
        Assert.Equal(2, entry.GetProperty("matchCount").GetInt32());

        // Past the expiry, the same user's next event raises a visible alert again.
        clock.Advance(TimeSpan.FromDays(2));
        Assert.False((await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/suppressions/{entryId}"))).GetProperty("active").GetBoolean());
        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("fay@acme.example", 40));
        await TriageEvents.AlertOfAsync(org, "fay@acme.example");
        var visible = Assert.Single(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?take=200")), a => a.GetProperty("actor").GetString() == "fay@acme.example");
        Assert.Equal(3, visible.GetProperty("count").GetInt32());
        Assert.Equal(2, visible.GetProperty("suppressedCount").GetInt32());
        Assert.False(visible.GetProperty("isSuppressed").GetBoolean());
        Assert.Equal(2, (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/suppressions/{entryId}"))).GetProperty("matchCount").GetInt32());
    }

    [Fact]
    public async Task EntryScopedByRuleAndCidr_SilencesTheDetection_ButNotOtherRules()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var api = org.App.Api;
        var created = await api.PostAsJsonAsync(org.App.WorkspacePath("/suppressions"),
            new { ruleId = "okta-mfa-push-fatigue-success", ipCidr = "45.86.200.0/24", reason = "Red team exercise", expiresAt = DateTime.UtcNow.AddDays(7) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await TriageEvents.SendAsync(org, [.. Enumerable.Range(0, 5).Select(i => DetectionEndToEndTests.PushAttempt(i * 10, "FAILURE")), DetectionEndToEndTests.PushAttempt(60, "SUCCESS")]);
        var detection = await TestOrg.EventuallyAsync(() => TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?kind=Detection&suppressed=Only")),
            a => a.Any(x => x.GetProperty("ruleId").GetString() == "okta-mfa-push-fatigue-success"), TimeSpan.FromSeconds(30));
        Assert.Equal(1, Assert.Single(detection).GetProperty("suppressedCount").GetInt32());
        Assert.DoesNotContain(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?kind=Detection")),
            a => a.GetProperty("ruleId").GetString() == "okta-mfa-push-fatigue-success");
        // The monitored-event alert of the same events is another rule: still visible.
        Assert.Contains(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?kind=MonitoredEvent")), a => a.GetProperty("ruleId").GetString() == MfaType);
    }

    [Fact]
    public async Task MarkAsExpected_DraftsAnEntryFromTheAlert_AndLaterMatchesAreCountedOnIt()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var api = org.App.Api;
        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("hal@acme.example", 0, ip: "198.51.100.7"));
        var id = await TriageEvents.AlertOfAsync(org, "hal@acme.example");

        var draft = await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}/suppression-draft"));
        Assert.Equal(MfaType, draft.GetProperty("ruleId").GetString());
        Assert.Equal("hal@acme.example", draft.GetProperty("user").GetString());
        Assert.Equal("198.51.100.7", draft.GetProperty("ipCidr").GetString());
        Assert.Equal(id, draft.GetProperty("sourceAlertId").GetGuid());
        Assert.True(draft.GetProperty("expiresAt").GetDateTime() > DateTime.UtcNow.AddDays(29));

        var created = await api.PostAsJsonAsync(org.App.WorkspacePath("/suppressions"), draft);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var history = (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}/history"))).EnumerateArray().ToList();
        Assert.Contains(history, h => h.GetProperty("action").GetString() == "suppression.created" && h.GetProperty("actor").GetString() == IdentiGuardApp.AdminEmail);
        var activity = await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/activity?search=suppression.created"));
        Assert.Single(activity.EnumerateArray());

        // The alert stays visible (it had a visible match); the next match joins it as suppressed.
        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("hal@acme.example", 30, ip: "198.51.100.7"));
        var alert = await TestOrg.EventuallyAsync(() => TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts")),
            a => a.Any(x => x.GetProperty("id").GetGuid() == id && x.GetProperty("suppressedCount").GetInt32() == 1), TimeSpan.FromSeconds(30));
        Assert.Equal(2, alert.Single(x => x.GetProperty("id").GetGuid() == id).GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("""{"reason":"r","expiresAt":"2099-01-01T00:00:00Z"}""", "scope")]
    [InlineData("""{"user":"u","expiresAt":"2099-01-01T00:00:00Z"}""", "reason")]
    [InlineData("""{"user":"u","reason":"r","expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"user":"u","reason":"r"}""", "expiresAt")]
    [InlineData("""{"ipCidr":"10.0.0.0/99","reason":"r","expiresAt":"2026-12-30T00:00:00Z"}""", "ipCidr")]
    [InlineData("""{"user":"u","reason":"r","tenantId":"6f1c1c6e-0000-0000-0000-000000000000","expiresAt":"2026-12-30T00:00:00Z"}""", "tenantId")]
    public async Task InvalidEntry_IsRejectedWithTheField_AndNothingIsSaved(string body, string field)
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var response = await app.Api.PostAsync(app.WorkspacePath("/suppressions"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(field, problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty((await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/suppressions"))).EnumerateArray());
    }
}
