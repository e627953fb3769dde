using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Server.Health;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Retention;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Health;

/// <summary>Tenant health against the emulated org, health alerts, and raw-event retention.</summary>
public sealed class TenantHealthTests
{
    /// <summary>The periodic jobs stay idle; the tests run the checker and the retention job once, directly.</summary>
    private static Dictionary<string, string?> Settings() => new()
    {
        ["IdentiGuard:Health:Enabled"] = "false",
        ["IdentiGuard:Retention:Enabled"] = "false",
    };

    /// <summary>The page answers for a signed-in member (the UI is not prerendered, so its content is not in the response).</summary>
    private static async Task PageAsync(TestOrg org, string path)
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(org.App.BaseUrl) };
        await IdentiGuardApp.SignInAsync(browser, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        var page = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("blazor.web.js", await page.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> HealthAsync(TestOrg org, Guid tenantId)
        => await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/tenants/{tenantId}/health"));

    [Fact]
    public async Task ConnectedTenant_IsHealthy_WithVerifiedHookAndCompleteScopes()
    {
        await using var org = await TestOrg.StartAsync(Settings());
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        var health = await HealthAsync(org, tenantId);
        Assert.True(health.GetProperty("state").GetString() == "Healthy", health.ToString());
        var hooks = health.GetProperty("hooks").EnumerateArray().ToList();
        Assert.NotEmpty(hooks);
        Assert.All(hooks, h =>
        {
            Assert.Equal("ACTIVE", h.GetProperty("status").GetString());
            Assert.Equal("VERIFIED", h.GetProperty("verificationStatus").GetString());
        });
        Assert.Empty(health.GetProperty("missingRequiredScopes").EnumerateArray());
        Assert.Empty(health.GetProperty("missingOptionalScopes").EnumerateArray());
        Assert.Equal(400_000, health.GetProperty("hookDailyCap").GetInt64());
        Assert.True(health.GetProperty("eventsPerHour").GetArrayLength() <= 24 * 3);

        // The checker raises nothing for a healthy tenant.
        Assert.Equal(0, await org.App.Services.GetRequiredService<TenantHealthChecker>().CheckAllAsync());

        // Another workspace's id does not reveal the tenant.
        var other = await org.App.Api.GetAsync($"/api/workspaces/{Guid.NewGuid()}/tenants/{tenantId}/health");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task NewestPolledEvent_IsTheNewestEventThePollerRead_AndEventsPerHourCountEachStoredEventOnce()
    {
        await using var org = await TestOrg.StartAsync(Settings());
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var published = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await org.Okta.EmitAsync(LogEventFactory.Create(new LogEventSpec
        {
            EventType = "user.session.start", Actor = LogEventFactory.UserActor("00unewest", "newest@acme.example", "Newest Event"), Published = published,
        }));

        var health = await TestOrg.EventuallyAsync(() => HealthAsync(org, tenantId),
            h => h.GetProperty("newestPolledPublished").ValueKind == JsonValueKind.String
                && h.GetProperty("newestPolledPublished").GetDateTime() == published.UtcDateTime, TimeSpan.FromSeconds(30));
        Assert.Equal(published.UtcDateTime, health.GetProperty("newestPolledPublished").GetDateTime());
        Assert.True(health.GetProperty("pollerLag").ValueKind != JsonValueKind.Null, health.ToString());

        // Whichever path stored it first (usually the hook; the poller then only read it again), it is stored once.
        // Events per hour count every stored event once, under the path that stored it (duplicates not at all). The
        // org's own deliveries may still be committing: health and the stored events are read again until they settle.
        await org.Okta.WhenDeliveriesIdleAsync();
        var (settled, events) = await TestOrg.EventuallyAsync(async () => (Health: await HealthAsync(org, tenantId), Events: await StoredEventsAsync(org, tenantId)),
            r => Counted(r.Health).SequenceEqual(BySource(r.Events)), TimeSpan.FromSeconds(10));
        health = settled;
        Assert.Single(events, e => e.ActorAlternateId == "newest@acme.example");
        Assert.Equal(BySource(events), Counted(health));
        Assert.Equal(events.Count(e => e.Source == EventSource.Hook), health.GetProperty("hookEventsLast24h").GetInt64());
    }

    private static async Task<List<StoredEvent>> StoredEventsAsync(TestOrg org, Guid tenantId)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Events.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.TenantId == tenantId).ToListAsync();
    }

    private static SortedDictionary<string, int> BySource(IEnumerable<StoredEvent> events)
        => new(events.GroupBy(e => e.Source.ToString()).ToDictionary(g => g.Key, g => g.Count()));

    private static SortedDictionary<string, int> Counted(JsonElement health)
        => new(health.GetProperty("eventsPerHour").EnumerateArray()
            .GroupBy(c => c.GetProperty("source").GetString()!).ToDictionary(g => g.Key, g => g.Sum(c => c.GetProperty("count").GetInt32())));

    [Fact]
    public async Task HookDeactivatedInOkta_IsUnhealthy_AndRaisesOneHealthAlert()
    {
        await using var org = await TestOrg.StartAsync(Settings());
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        // An Okta admin deactivates the hook (a lifecycle call with the integration's token).
        var hookId = org.Okta.Hooks[0].Id;
        var session = new OktaSession(new OktaCredentials(tenantId, org.Okta.BaseUrl, org.Okta.SeedClient.ClientId, org.Okta.SeedClient.ClientSecret));
        await org.App.Services.GetRequiredService<EventHooksApi>().DeactivateAsync(session, hookId, CancellationToken.None);

        var checker = org.App.Services.GetRequiredService<TenantHealthChecker>();
        Assert.Equal(1, await checker.CheckAllAsync());

        var health = await HealthAsync(org, tenantId);
        Assert.True(health.GetProperty("state").GetString() == "Unhealthy", health.ToString());
        Assert.Contains(health.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "hook");
        Assert.Equal("INACTIVE", health.GetProperty("hooks").EnumerateArray().Single(h => h.GetProperty("oktaHookId").GetString() == hookId).GetProperty("status").GetString());

        // A second check the same day updates the same alert instead of raising another.
        await checker.CheckAllAsync();
        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var alert = Assert.Single(await db.Alerts.IgnoreQueryFilters().AsNoTracking().Where(a => a.TenantId == tenantId && a.RuleId.StartsWith("identiguard.health.")).ToListAsync());
        Assert.Equal("identiguard.health.hook", alert.RuleId);
        Assert.Equal(AlertSeverity.High, alert.Severity);
        Assert.Equal(AlertKind.Detection, alert.Kind);
        Assert.Equal(org.App.WorkspaceId, alert.WorkspaceId);
        Assert.StartsWith("health:hook:", alert.GroupKey);
        Assert.Contains("Remedy", alert.Explanation);

        await PageAsync(org, $"/w/{org.App.WorkspaceId}/tenants/{tenantId}/health");
    }

    [Fact]
    public async Task Retention_DeletesOldUnreferencedEvents_AndKeepsAlertEvidence()
    {
        await using var org = await TestOrg.StartAsync(Settings());
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        // Settings: validated, admin-only, stored per workspace.
        var invalid = await org.App.Api.PutAsJsonAsync(org.App.WorkspacePath("/settings"), new { eventRetentionDays = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var saved = await org.App.Api.PutAsJsonAsync(org.App.WorkspacePath("/settings"), new { eventRetentionDays = 30 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        await PageAsync(org, "/workspaces");
        Assert.Equal(30, (await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/settings"))).GetProperty("eventRetentionDays").GetInt32());

        var now = DateTime.UtcNow;
        StoredEvent Event(string name, DateTime published) => new()
        {
            WorkspaceId = org.App.WorkspaceId, TenantId = tenantId, Uuid = name + Guid.NewGuid(), EventType = "user.session.start",
            Published = published, ReceivedAt = published, Source = EventSource.Poll, Json = "{}",
        };
        var old = Event("old", now.AddDays(-31));
        var evidence = Event("evidence", now.AddDays(-40));
        var recent = Event("recent", now.AddDays(-29));
        await using (var scope = org.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            db.Events.AddRange(old, evidence, recent);
            await db.SaveChangesAsync();
            var alert = new Alert
            {
                Id = Guid.NewGuid(), WorkspaceId = org.App.WorkspaceId, TenantId = tenantId, Kind = AlertKind.MonitoredEvent, RuleId = "user.session.start",
                Title = "Evidence", Severity = AlertSeverity.Low, EventType = "user.session.start", Actor = "someone", GroupKey = "retention-test",
                Count = 1, FirstSeen = evidence.Published, LastSeen = evidence.Published, CreatedAt = now, UpdatedAt = now,
            };
            alert.Events.Add(new AlertEvent { AlertId = alert.Id, StoredEventId = evidence.Id });
            db.Alerts.Add(alert);
            // The grain has processed them (retention never deletes what detection has not seen).
            var tenant = await db.Tenants.IgnoreQueryFilters().FirstAsync(t => t.Id == tenantId);
            tenant.ProcessedEventCursor = Math.Max(tenant.ProcessedEventCursor, recent.Id);
            await db.SaveChangesAsync();
        }

        var deleted = await org.App.Services.GetRequiredService<EventRetentionJob>().RunOnceAsync();
        Assert.Equal(1, deleted);

        await using (var scope = org.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            var ids = await db.Events.IgnoreQueryFilters().Where(e => e.TenantId == tenantId).Select(e => e.Id).ToListAsync();
            Assert.DoesNotContain(old.Id, ids);
            Assert.Contains(evidence.Id, ids);
            Assert.Contains(recent.Id, ids);
            Assert.Equal(1, await db.AlertEvents.CountAsync(a => a.StoredEventId == evidence.Id));
        }
    }
}
