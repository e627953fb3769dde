using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Hooks;

/// <summary>The hook endpoint stores nothing it should refuse, and stores every accepted event exactly once.</summary>
public sealed class HookEndpointTests
{
    private static async Task<(TestOrg Org, Guid TenantId, string Secret)> ConnectedAsync()
    {
        var org = await TestOrg.StartAsync();
        var tenant = await org.ConnectedTenantAsync();
        return (org, tenant.GetProperty("id").GetGuid(), org.Okta.Hooks.Single().AuthSchemeValue!);
    }

    private static HttpRequestMessage Delivery(Guid tenantId, string? secret, string body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/okta/{tenantId}") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (secret is not null) request.Headers.TryAddWithoutValidation("Authorization", secret);
        return request;
    }

    private static string Envelope(params object[] events) => JsonSerializer.Serialize(new
    {
        eventType = "com.okta.event_hook", eventTypeVersion = "1.0", cloudEventsVersion = "0.1", source = "https://acme.okta.com/api/v1/eventHooks/who1",
        eventId = Guid.NewGuid().ToString(), eventTime = "2026-11-29T10:00:00.000Z", contentType = "application/json", data = new { events },
    });

    private static object LogEvent(string uuid, string type = "user.account.privilege.grant", string actor = "admin@acme.com", string published = "2026-11-29T10:00:00.000Z") => new
    {
        uuid, published, eventType = type, version = "0", severity = "INFO", displayMessage = "Grant user privilege",
        actor = new { id = "00u1", type = "User", alternateId = actor, displayName = "Admin" }, outcome = new { result = "SUCCESS" },
        client = new { ipAddress = "203.0.113.7" }, target = new[] { new { id = "00u2", type = "User", alternateId = "bob@acme.com" } },
    };

    private static async Task<int> StoredEventsAsync(TestOrg org)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        // Only what came through the hook: the System Log poller stores the org's own events beside them.
        return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Events.IgnoreQueryFilters().CountAsync(e => e.Source == EventSource.Hook);
    }

    private static async Task<JsonElement> RejectionsAsync(TestOrg org)
        => await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/activity?search=hook.delivery.rejected"));

    [Fact]
    public async Task VerificationChallenge_IsEchoedWithoutTheAuthHeader()
    {
        var (org, tenantId, _) = await ConnectedAsync();
        await using var _ = org;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/hooks/okta/{tenantId}");
        request.Headers.Add("x-okta-verification-challenge", "abc123XYZ");
        var response = await org.App.Anonymous().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("abc123XYZ", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("verification").GetString());
    }

    [Fact]
    public async Task DeliveryWithWrongSecret_IsRejectedAndStoresNothing()
    {
        var (org, tenantId, _) = await ConnectedAsync();
        await using var _ = org;
        var response = await org.App.Anonymous().SendAsync(Delivery(tenantId, "wrong-secret", Envelope(LogEvent("e-1"))));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(org));
        Assert.Contains((await RejectionsAsync(org)).EnumerateArray(), a => a.GetProperty("message").GetString()!.Contains("(401)"));
    }

    [Fact]
    public async Task DeliveryWithoutAuthHeader_IsRejected()
    {
        var (org, tenantId, _) = await ConnectedAsync();
        await using var _ = org;
        var response = await org.App.Anonymous().SendAsync(Delivery(tenantId, null, Envelope(LogEvent("e-1"))));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(org));
    }

    [Fact]
    public async Task DeliveryForUnknownTenant_Is404AndStoresNothing()
    {
        var (org, _, secret) = await ConnectedAsync();
        await using var _ = org;
        var response = await org.App.Anonymous().SendAsync(Delivery(Guid.NewGuid(), secret, Envelope(LogEvent("e-1"))));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(org));
    }

    [Theory]
    [InlineData("{\"data\": {\"events\": [")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"data\": {\"events\": {}}}")]
    [InlineData("{\"data\": {\"events\": [42]}}")]
    [InlineData("not json at all")]
    public async Task MalformedDelivery_IsRejectedWith400AndStoresNothing(string body)
    {
        var (org, tenantId, secret) = await ConnectedAsync();
        await using var _ = org;
        var response = await org.App.Anonymous().SendAsync(Delivery(tenantId, secret, body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(org));
        Assert.NotEmpty((await RejectionsAsync(org)).EnumerateArray());
    }

    [Fact]
    public async Task OversizedDelivery_IsRejectedWith413AndStoresNothing()
    {
        await using var org = await TestOrg.StartAsync(new Dictionary<string, string?> { ["IdentiGuard:MaxHookBodyBytes"] = "65536" });
        var tenant = await org.ConnectedTenantAsync();
        var secret = org.Okta.Hooks.Single().AuthSchemeValue!;
        var events = Enumerable.Range(0, 400).Select(i => LogEvent($"big-{i}")).ToArray();
        var response = await org.App.Anonymous().SendAsync(Delivery(tenant.GetProperty("id").GetGuid(), secret, Envelope(events)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(org));
    }

    [Fact]
    public async Task DuplicateDelivery_StoresOneCopyAndCountsTheAlertOnce()
    {
        var (org, tenantId, secret) = await ConnectedAsync();
        await using var _ = org;
        var body = Envelope(LogEvent("dup-1"), LogEvent("dup-2"));
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await org.App.Anonymous().SendAsync(Delivery(tenantId, secret, body))).StatusCode);

        Assert.Equal(2, await StoredEventsAsync(org));
        const string query = "?kind=MonitoredEvent&eventType=user.account.privilege.grant";
        await TestOrg.EventuallyAsync(() => org.AlertsAsync(query), a => a.GetProperty("total").GetInt32() > 0);
        await Task.Delay(500);
        var alert = Assert.Single((await org.AlertsAsync(query)).GetProperty("items").EnumerateArray());
        Assert.Equal(2, alert.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task LaterDeliveries_JoinTheOpenAlert_WithTheirEvidence()
    {
        var (org, tenantId, secret) = await ConnectedAsync();
        await using var _ = org;
        const string query = "?kind=MonitoredEvent&eventType=user.account.privilege.grant";
        Assert.Equal(HttpStatusCode.OK, (await org.App.Anonymous().SendAsync(Delivery(tenantId, secret, Envelope(LogEvent("g-1"))))).StatusCode);
        await TestOrg.EventuallyAsync(() => org.AlertsAsync(query), a => a.GetProperty("total").GetInt32() > 0);

        // Processed in a later batch, so they update the stored alert rather than one created in the same batch.
        var later = Envelope(LogEvent("g-2", published: "2026-11-29T10:05:00.000Z"), LogEvent("g-3", published: "2026-11-29T10:07:30.000Z"));
        Assert.Equal(HttpStatusCode.OK, (await org.App.Anonymous().SendAsync(Delivery(tenantId, secret, later))).StatusCode);
        var page = await TestOrg.EventuallyAsync(() => org.AlertsAsync(query), a => a.GetProperty("items")[0].GetProperty("count").GetInt32() == 3);

        var alert = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc), alert.GetProperty("firstSeen").GetDateTime().ToUniversalTime());
        Assert.Equal(new DateTime(2026, 11, 29, 10, 7, 30, DateTimeKind.Utc), alert.GetProperty("lastSeen").GetDateTime().ToUniversalTime());
        var detail = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{alert.GetProperty("id").GetGuid()}"));
        Assert.Equal(["g-1", "g-2", "g-3"], detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("uuid").GetString()).Order());
    }

    [Fact]
    public async Task PreviewSampleWithoutIdsOrTarget_IsAcceptedAndAlerted()
    {
        var (org, tenantId, secret) = await ConnectedAsync();
        await using var _ = org;
        var body = """{"eventType":"com.okta.event_hook","data":{"events":[{"eventType":"user.mfa.factor.reset_all","displayMessage":"Reset all factors for user"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await org.App.Anonymous().SendAsync(Delivery(tenantId, secret, body))).StatusCode);
        var alerts = await TestOrg.EventuallyAsync(() => org.AlertsAsync("?eventType=user.mfa.factor.reset_all"), a => a.GetProperty("total").GetInt32() > 0);
        Assert.Equal("user.mfa.factor.reset_all", alerts.GetProperty("items")[0].GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task AnotherTenantsSecret_IsRejected()
    {
        await using var org = await TestOrg.StartAsync();
        var first = await org.ConnectedTenantAsync();
        var firstSecret = org.Okta.Hooks.Single().AuthSchemeValue!;
        var client = org.Okta.AddClient(IdentiGuard.Server.Okta.OktaScopes.All.ToArray());
        var (_, second) = await org.AddTenantAsync(client.ClientId, client.ClientSecret);
        var secondId = second.GetProperty("tenant").GetProperty("id").GetGuid();

        var response = await org.App.Anonymous().SendAsync(Delivery(secondId, firstSecret, Envelope(LogEvent("x-1"))));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(org));
        Assert.NotEqual(first.GetProperty("id").GetGuid(), secondId);
    }
}
