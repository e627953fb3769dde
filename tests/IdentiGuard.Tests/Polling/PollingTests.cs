using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Polling;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Server.Polling;
using IdentiGuard.Server.Storage;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.Polling;

/// <summary>System Log polling against the emulated org: loss-free next to the hook, resumable, polite under rate limits.</summary>
public sealed class PollingTests(ITestOutputHelper output)
{
    /// <summary>Short intervals so the tests run in seconds (the defaults are 1 s … 15 s).</summary>
    private static Dictionary<string, string?> FastPolling(bool enabled = true, string minInterval = "00:00:00.200", string maxInterval = "00:00:01") => new()
    {
        ["IdentiGuard:Polling:Enabled"] = enabled ? "true" : "false",
        ["IdentiGuard:Polling:MinInterval"] = minInterval,
        ["IdentiGuard:Polling:MaxInterval"] = maxInterval,
        ["IdentiGuard:Polling:ErrorInterval"] = "00:00:01",
        ["IdentiGuard:Polling:LeaseDuration"] = "00:00:05",
    };

    private static JsonObject Event(string type, string actor, string? uuid = null, JsonObject? debugData = null, string clientIp = "142.126.158.61")
        => LogEventFactory.Create(new LogEventSpec
        {
            EventType = type,
            Actor = LogEventFactory.UserActor("00u" + actor.GetHashCode().ToString("x"), actor, actor),
            Uuid = uuid ?? Guid.NewGuid().ToString(),
            DebugData = debugData,
            ClientIp = clientIp,
        });

    private static async Task<List<StoredEvent>> StoredAsync(TestOrg org, Guid tenantId)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        return await db.Events.IgnoreQueryFilters().AsNoTracking().Where(e => e.TenantId == tenantId).ToListAsync();
    }

    private static async Task<PollCheckpoint?> CheckpointAsync(TestOrg org, Guid tenantId)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        return await db.PollCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId);
    }

    private static Task<List<StoredEvent>> EventuallyStoredAsync(TestOrg org, Guid tenantId, IReadOnlyCollection<string> uuids, TimeSpan? timeout = null)
        => TestOrg.EventuallyAsync(() => StoredAsync(org, tenantId), stored => uuids.All(u => stored.Any(e => e.Uuid == u)), timeout ?? TimeSpan.FromSeconds(20));

    private static void AssertStoredOnce(IReadOnlyList<StoredEvent> stored, IEnumerable<string> uuids)
    {
        foreach (var uuid in uuids) Assert.Equal(1, stored.Count(e => e.Uuid == uuid));
    }

    private static bool IsLogsPoll(RecordedRequest r) => r.PathAndQuery.StartsWith("/api/v1/logs", StringComparison.Ordinal) && !r.PathAndQuery.Contains("until=", StringComparison.Ordinal);

    [Fact]
    public async Task HookDeliveriesDroppedByOkta_AreRecoveredByThePoller_EachStoredOnceAndAlertedOnce()
    {
        // Polls a second apart: the hook (50 ms batching) almost always stores the delivered events first, so the poller
        // brings them again as duplicates, which is the reconciliation under test.
        await using var org = await TestOrg.StartAsync(FastPolling(minInterval: "00:00:01", maxInterval: "00:00:02"));
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        var delivered = Event("user.session.start", "first@acme.example");
        await org.Okta.EmitAsync(delivered);
        await org.Okta.WhenDeliveriesIdleAsync();

        org.Okta.DropNextDeliveries(2);
        var lost = new[] { Event("user.session.start", "lost1@acme.example"), Event("user.session.start", "lost2@acme.example") };
        foreach (var e in lost)
        {
            await org.Okta.EmitAsync(e);
            await org.Okta.WhenDeliveriesIdleAsync();
        }
        var after = Event("user.session.start", "after@acme.example");
        await org.Okta.EmitAsync(after);
        await org.Okta.WhenDeliveriesIdleAsync();

        var all = new[] { delivered }.Concat(lost).Append(after).ToList();
        var uuids = all.Select(e => e["uuid"]!.GetValue<string>()).ToList();
        var lostUuids = lost.Select(e => e["uuid"]!.GetValue<string>()).ToList();
        Assert.All(lostUuids, u => Assert.Contains(org.Okta.Deliveries, d => d.Dropped && d.EventUuids.Contains(u)));

        var stored = await EventuallyStoredAsync(org, tenantId, uuids);
        AssertStoredOnce(stored, uuids);
        Assert.All(lostUuids, u => Assert.Equal(EventSource.Poll, stored.Single(e => e.Uuid == u).Source));

        // The poller brings the hook-delivered events too (it collects everything); the store counts them as duplicates.
        await TestOrg.EventuallyAsync(() => CheckpointAsync(org, tenantId), c => c?.EventsPolled >= all.Count);
        foreach (var d in org.Okta.Deliveries) output.WriteLine($"{d.Kind} {d.StatusCode} {d.Error} dropped={d.Dropped} {string.Join(",", d.EventUuids)}");
        foreach (var e in stored) output.WriteLine($"{e.Uuid} {e.Source} {e.ReceivedAt:O}");
        Assert.Contains(stored, e => e.Source == EventSource.Hook);
        await Task.Delay(1000);
        AssertStoredOnce(await StoredAsync(org, tenantId), uuids);

        var alerts = await TestOrg.EventuallyAsync(async () => (await org.AlertsAsync("?eventType=user.session.start&take=100")).GetProperty("items").EnumerateArray().ToList(),
            a => a.Count >= all.Count);
        foreach (var e in all)
        {
            var actor = e["actor"]!["alternateId"]!.GetValue<string>();
            var alert = Assert.Single(alerts, a => a.GetProperty("actor").GetString() == actor);
            Assert.Equal(1, alert.GetProperty("count").GetInt32());
            Assert.False(alert.GetProperty("isHistorical").GetBoolean());
        }
    }

    [Fact]
    public async Task ThreatDetectedEvent_WhichOktaCannotDeliverByHook_ReachesDetectionThroughPolling()
    {
        await using var org = await TestOrg.StartAsync(FastPolling());
        var tenant = await org.ConnectedTenantAsync();
        var tenantId = tenant.GetProperty("id").GetGuid();
        Assert.Contains("security.threat.detected", tenant.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.DoesNotContain("security.threat.detected", Assert.Single(org.Okta.Hooks).EventTypes);

        var threat = Event("security.threat.detected", "unknown", clientIp: "45.86.200.12",
            debugData: new JsonObject { ["threatDetections"] = "{\"Password Spray\":\"HIGH\"}", ["threatSuspected"] = "true" });
        var emitted = DateTime.UtcNow;
        await org.Okta.EmitAsync(threat);
        var uuid = threat["uuid"]!.GetValue<string>();

        var stored = await EventuallyStoredAsync(org, tenantId, [uuid]);
        Assert.Equal(EventSource.Poll, stored.Single(e => e.Uuid == uuid).Source);
        output.WriteLine($"Poll lag with MinInterval 0.2 s / MaxInterval 1 s: {(stored.Single(e => e.Uuid == uuid).ReceivedAt - emitted).TotalMilliseconds:0} ms");
        Assert.DoesNotContain(org.Okta.Deliveries, d => d.EventUuids.Contains(uuid));

        var detections = await TestOrg.EventuallyAsync(async () => (await org.AlertsAsync("?kind=Detection&take=100")).GetProperty("items").EnumerateArray().ToList(),
            d => d.Any(a => a.GetProperty("ruleId").GetString() == "okta-threatinsight-threat-detected"));
        var alert = Assert.Single(detections, a => a.GetProperty("ruleId").GetString() == "okta-threatinsight-threat-detected");
        Assert.Equal("High", alert.GetProperty("severity").GetString());
        Assert.False(alert.GetProperty("isHistorical").GetBoolean());
    }

    [Fact]
    public async Task Restart_ResumesFromTheCheckpoint_EventsEmittedWhileDownAreStoredExactlyOnce()
    {
        await using var org = await TestOrg.StartAsync(FastPolling());
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        var before = Enumerable.Range(0, 5).Select(i => Event("security.threat.detected", $"before{i}@acme.example")).ToList();
        foreach (var e in before) await org.Okta.EmitAsync(e);
        var beforeUuids = before.Select(e => e["uuid"]!.GetValue<string>()).ToList();
        await EventuallyStoredAsync(org, tenantId, beforeUuids);
        var checkpoint = await TestOrg.EventuallyAsync(() => CheckpointAsync(org, tenantId), c => c?.EventsPolled >= before.Count);
        Assert.Contains("after=", checkpoint!.NextUrl);

        var whileDown = Enumerable.Range(0, 5).Select(i => Event(i % 2 == 0 ? "security.threat.detected" : "user.session.start", $"down{i}@acme.example")).ToList();
        DateTimeOffset restartedAt = default;
        await org.RestartAppAsync(whileStopped: async () =>
        {
            foreach (var e in whileDown) await org.Okta.EmitAsync(e);
            // The hook deliveries fail while the host is down (Okta retries once, then gives up).
            await org.Okta.WhenDeliveriesIdleAsync();
            restartedAt = DateTimeOffset.UtcNow;
        });

        var downUuids = whileDown.Select(e => e["uuid"]!.GetValue<string>()).ToList();
        var stored = await EventuallyStoredAsync(org, tenantId, downUuids, TimeSpan.FromSeconds(30));
        await Task.Delay(1500);
        stored = await StoredAsync(org, tenantId);
        AssertStoredOnce(stored, beforeUuids.Concat(downUuids));
        Assert.All(downUuids, u => Assert.Equal(EventSource.Poll, stored.Single(e => e.Uuid == u).Source));

        // Resumed from the persisted next link: no request after the restart started over with since=.
        var afterRestart = org.Okta.Requests.Where(r => IsLogsPoll(r) && r.At >= restartedAt).ToList();
        Assert.NotEmpty(afterRestart);
        Assert.All(afterRestart, r => Assert.Contains("after=", r.PathAndQuery));
    }

    [Fact]
    public async Task RateLimited_ThePollerWaitsForTheResetAndLosesNothing()
    {
        await using var org = await TestOrg.StartAsync(FastPolling());
        org.Okta.Options.LogsRateLimitPerMinute = 40;
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        await TestOrg.EventuallyAsync(() => Task.FromResult(org.Okta.Requests.Count(r => IsLogsPoll(r) && r.PathAndQuery.Contains("after="))), n => n >= 1);

        // Another client of the org uses up the logs bucket.
        using var other = new HttpClient { BaseAddress = new Uri(org.Okta.BaseUrl) };
        var token = await TokenAsync(other, org.Okta);
        long resetEpoch = 0;
        for (var i = 0; i < 80 && resetEpoch == 0; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/logs?limit=1&q=flood");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await other.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) resetEpoch = long.Parse(response.Headers.GetValues("X-Rate-Limit-Reset").Single());
        }
        Assert.NotEqual(0, resetEpoch);
        var reset = DateTimeOffset.FromUnixTimeSeconds(resetEpoch);

        // The hook loses these too, so only the poller can bring them.
        org.Okta.DropNextDeliveries(3);
        var events = Enumerable.Range(0, 3).Select(i => Event("user.session.start", $"limited{i}@acme.example")).ToList();
        foreach (var e in events)
        {
            await org.Okta.EmitAsync(e);
            await org.Okta.WhenDeliveriesIdleAsync();
        }
        var uuids = events.Select(e => e["uuid"]!.GetValue<string>()).ToList();

        var stored = await EventuallyStoredAsync(org, tenantId, uuids, TimeSpan.FromSeconds(90));
        AssertStoredOnce(stored, uuids);
        Assert.True(DateTimeOffset.UtcNow >= reset, "The events can only have come after the window's reset.");

        var polls = org.Okta.Requests.Where(r => IsLogsPoll(r) && !r.PathAndQuery.Contains("q=flood")).ToList();
        var refused = polls.Where(r => r.StatusCode == 429).ToList();
        output.WriteLine($"Poller requests: {polls.Count}; refused with 429: {refused.Count}; window reset {reset:O}");
        // At most the one request that found the bucket empty; then silence until the reset (plus a second).
        Assert.InRange(refused.Count, 0, 1);
        var duringWait = polls.Where(r => refused.Count > 0 && r.At > refused[0].At && r.At < reset).ToList();
        Assert.Empty(duringWait);
        Assert.Contains(polls, r => r.StatusCode == 200 && r.At >= reset);
    }

    [Fact]
    public async Task TwoPollersForOneTenant_TheSecondAcquisitionFencesTheFirst_WhoseCheckpointWriteIsRefused()
    {
        await using var org = await TestOrg.StartAsync(FastPolling(enabled: false));
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var scopeA = org.App.Services.CreateAsyncScope();
        await using var scopeB = org.App.Services.CreateAsyncScope();
        var siloA = new PollLease(scopeA.ServiceProvider.GetRequiredService<IDbContextFactory<IdentiGuardDbContext>>(), scopeA.ServiceProvider.GetRequiredService<WriteTurns>(), clock);
        var siloB = new PollLease(scopeB.ServiceProvider.GetRequiredService<IDbContextFactory<IdentiGuardDbContext>>(), scopeB.ServiceProvider.GetRequiredService<WriteTurns>(), clock);
        var duration = TimeSpan.FromSeconds(30);
        var start = clock.GetUtcNow().UtcDateTime;

        var a = await siloA.TryAcquireAsync(tenantId, "silo-a", duration, start, CancellationToken.None);
        Assert.NotNull(a);
        Assert.Null(await siloB.TryAcquireAsync(tenantId, "silo-b", duration, start, CancellationToken.None));
        a = await siloA.SaveCheckpointAsync(a, "http://okta/api/v1/logs?after=1_1", 1, null, duration, CancellationToken.None);
        Assert.NotNull(a);

        // A pauses past its lease (a GC pause, a partition): B acquires, which increments the fencing token.
        clock.Advance(duration + TimeSpan.FromSeconds(1));
        var b = await siloB.TryAcquireAsync(tenantId, "silo-b", duration, start, CancellationToken.None);
        Assert.NotNull(b);
        Assert.True(b.FencingToken > a.FencingToken);

        Assert.Null(await siloA.SaveCheckpointAsync(a, "http://okta/api/v1/logs?after=2_2", 1, null, duration, CancellationToken.None));
        Assert.Null(await siloA.RenewAsync(a, duration, CancellationToken.None));
        Assert.Null(await siloA.TryAcquireAsync(tenantId, "silo-a", duration, start, CancellationToken.None));
        Assert.NotNull(await siloB.SaveCheckpointAsync(b, "http://okta/api/v1/logs?after=3_3", 1, null, duration, CancellationToken.None));

        var checkpoint = await siloB.ReadAsync(tenantId, CancellationToken.None);
        Assert.Equal("http://okta/api/v1/logs?after=3_3", checkpoint!.NextUrl);
        Assert.Equal("silo-b", checkpoint.LeaseOwner);
        Assert.Equal(b.FencingToken, checkpoint.FencingToken);

        // Two acquisitions racing for an expired lease: exactly one wins.
        clock.Advance(duration + TimeSpan.FromSeconds(1));
        var race = await Task.WhenAll(
            siloA.TryAcquireAsync(tenantId, "silo-a", duration, start, CancellationToken.None),
            siloB.TryAcquireAsync(tenantId, "silo-c", duration, start, CancellationToken.None));
        Assert.Single(race, h => h is not null);
    }

    [Fact]
    public async Task TenantAdded_ImportsTheHistoryWindow_AsHistoricalAlertsWithProgress()
    {
        await using var org = await TestOrg.StartAsync(FastPolling());
        // Events from before IdentiGuard knew the org, published within the default 24 h window.
        var old = Enumerable.Range(0, 3).Select(i => LogEventFactory.Create(new LogEventSpec
        {
            EventType = "user.account.lock", Published = DateTimeOffset.UtcNow.AddHours(-2).AddMinutes(i),
            Actor = LogEventFactory.UserActor("00uold" + i, $"old{i}@acme.example", "Old"),
        })).Append(LogEventFactory.Create(new LogEventSpec
        {
            EventType = "security.threat.detected", Published = DateTimeOffset.UtcNow.AddHours(-1), ClientIp = "45.86.200.99",
            DebugData = new JsonObject { ["threatDetections"] = "{\"Password Spray\":\"HIGH\"}" },
        })).ToList();
        foreach (var e in old) await org.Okta.EmitAsync(e);
        // Deliveries fail (no hook yet): those events exist only in the System Log.
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var uuids = old.Select(e => e["uuid"]!.GetValue<string>()).ToList();

        var stored = await EventuallyStoredAsync(org, tenantId, uuids);
        AssertStoredOnce(stored, uuids);
        Assert.All(uuids, u => Assert.Equal(EventSource.Backfill, stored.Single(e => e.Uuid == u).Source));

        var view = await TestOrg.EventuallyAsync(() => org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/tenants/{tenantId}")),
            t => t.GetProperty("polling").GetProperty("backfill").GetProperty("status").GetString() == "Completed");
        var backfill = view.GetProperty("polling").GetProperty("backfill");
        Assert.Equal("Completed", backfill.GetProperty("status").GetString());
        Assert.Equal(100, backfill.GetProperty("percent").GetInt32());
        // Also the org's own events of the connect (hook created, verified…), published before the import's end.
        Assert.True(backfill.GetProperty("events").GetInt64() >= old.Count);

        var alerts = await TestOrg.EventuallyAsync(async () => (await org.AlertsAsync("?take=100")).GetProperty("items").EnumerateArray().ToList(),
            a => a.Any(x => x.GetProperty("ruleId").GetString() == "okta-threatinsight-threat-detected") && a.Count(x => x.GetProperty("eventType").GetString() == "user.account.lock") >= 3);
        var imported = alerts.Where(a => a.GetProperty("eventType").GetString() == "user.account.lock" || a.GetProperty("ruleId").GetString() == "okta-threatinsight-threat-detected").ToList();
        Assert.True(imported.Count >= 4, string.Join("\n", imported));
        Assert.All(imported, a => Assert.True(a.GetProperty("isHistorical").GetBoolean(), a.ToString()));
    }

    /// <summary>Figures for the report: poll lag of a poll-only event and the request rate per tenant at idle, on the default intervals.</summary>
    [Fact]
    public async Task IdlePoller_OnDefaults_PicksUpAPollOnlyEventWithinTheMaxInterval_AndMakesFewRequests()
    {
        await using var org = await TestOrg.StartAsync();
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        // Let the poller back off to its idle interval.
        await Task.Delay(TimeSpan.FromSeconds(35));
        var window = TimeSpan.FromSeconds(30);
        var from = DateTimeOffset.UtcNow;
        await Task.Delay(window);
        var idleRequests = org.Okta.Requests.Count(r => IsLogsPoll(r) && r.At >= from && r.At < from + window);
        var perMinute = idleRequests * 60 / window.TotalSeconds;

        var threat = Event("security.threat.detected", "lag", clientIp: "45.86.200.13");
        var emitted = DateTime.UtcNow;
        await org.Okta.EmitAsync(threat);
        var uuid = threat["uuid"]!.GetValue<string>();
        var stored = (await EventuallyStoredAsync(org, tenantId, [uuid], TimeSpan.FromSeconds(30))).Single(e => e.Uuid == uuid);
        var lag = stored.ReceivedAt - emitted;
        output.WriteLine($"Idle System Log requests per tenant: {idleRequests} in {window.TotalSeconds:0} s = {perMinute:0.0}/min; poll lag of a poll-only event: {lag.TotalMilliseconds:0} ms");

        Assert.InRange(perMinute, 1, 8);
        Assert.InRange(lag, TimeSpan.Zero, TimeSpan.FromSeconds(17));
    }

    private static async Task<string> TokenAsync(HttpClient client, EmulatedOkta okta)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/v1/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", "okta.logs.read")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{okta.SeedClient.ClientId}:{okta.SeedClient.ClientSecret}")));
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset now = now;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
