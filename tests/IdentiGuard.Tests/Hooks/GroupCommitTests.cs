using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Server.Ingestion;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Hooks;

/// <summary>
/// Concurrent deliveries share durable commits: every acknowledged event is stored exactly once with its delivery's
/// activity entry, a delivery the database refuses fails alone, and a full queue answers 503 (which Okta retries).
/// </summary>
public sealed class GroupCommitTests
{
    private static async Task<(TestOrg Org, Guid TenantId, Guid WorkspaceId, string Secret)> ConnectedAsync(IDictionary<string, string?>? settings = null)
    {
        var org = await TestOrg.StartAsync(settings);
        var tenant = await org.ConnectedTenantAsync();
        return (org, tenant.GetProperty("id").GetGuid(), org.App.WorkspaceId, org.Okta.Hooks.Single().AuthSchemeValue!);
    }

    /// <summary>A connected tenant whose hook endpoint has acknowledged one delivery of these events.</summary>
    internal static async Task<(TestOrg Org, HttpClient Http)> DeliveredAsync(params string[] uuids)
    {
        var (org, tenantId, _, secret) = await ConnectedAsync();
        var http = org.App.Anonymous();
        using var delivered = await http.SendAsync(Delivery(tenantId, secret, uuids));
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        return (org, http);
    }

    private static HttpRequestMessage Delivery(Guid tenantId, string secret, IEnumerable<string> uuids)
    {
        var body = JsonSerializer.Serialize(new
        {
            eventType = "com.okta.event_hook", eventTypeVersion = "1.0", cloudEventsVersion = "0.1", eventId = Guid.NewGuid().ToString(),
            eventTime = "2026-11-29T10:00:00.000Z", contentType = "application/json", data = new { events = uuids.Select(LogEvent).ToArray() },
        });
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/okta/{tenantId}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", secret);
        return request;
    }

    private static object LogEvent(string uuid) => new
    {
        uuid, published = "2026-11-29T10:00:00.000Z", eventType = "user.session.start", version = "0", severity = "INFO", displayMessage = "User login to Okta",
        actor = new { id = "00u1", type = "User", alternateId = "ada@acme.com", displayName = "Ada" }, outcome = new { result = "SUCCESS" },
        client = new { ipAddress = "203.0.113.7" },
    };

    private static IncomingEvent Incoming(string uuid) =>
        new(uuid, "user.session.start", new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc), "00u1", "ada@acme.com", "203.0.113.7", "SUCCESS",
            JsonSerializer.Serialize(LogEvent(uuid)));

    private static async Task<List<string>> HookUuidsAsync(TestOrg org, Guid tenantId)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Events.IgnoreQueryFilters()
            .Where(e => e.TenantId == tenantId && e.Source == EventSource.Hook).Select(e => e.Uuid).ToListAsync();
    }

    private static async Task<List<string>> ActivityMessagesAsync(TestOrg org, string action)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Activity.IgnoreQueryFilters()
            .Where(a => a.Action == action).Select(a => a.Message).ToListAsync();
    }

    [Fact]
    public async Task ConcurrentDeliveries_EachAcknowledgedEventIsStoredExactlyOnce()
    {
        var (org, tenantId, _, secret) = await ConnectedAsync();
        await using var _ = org;
        // 120 deliveries of 5 events, sent 40 at a time; each shares one event with its neighbour (as overlapping
        // deliveries and Okta's retries do), and every tenth is sent twice.
        var deliveries = Enumerable.Range(0, 120)
            .Select(d => Enumerable.Range(0, 4).Select(i => $"gc-{d}-{i}").Append($"gc-shared-{d / 2}").ToList()).ToList();
        var sends = deliveries.Concat(deliveries.Where((_, d) => d % 10 == 0)).ToList();
        using var http = org.App.Anonymous();
        using var gate = new SemaphoreSlim(40);
        var statuses = await Task.WhenAll(sends.Select(async uuids =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await http.SendAsync(Delivery(tenantId, secret, uuids));
                return response.StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var stored = await HookUuidsAsync(org, tenantId);
        var expected = deliveries.SelectMany(d => d).Distinct().ToList();
        Assert.Equal(expected.Count, stored.Count);
        Assert.Equal(expected.Order(), stored.Order());

        // One activity entry per acknowledged delivery, whose counts add up to what was stored.
        var accepted = await ActivityMessagesAsync(org, "hook.delivery.accepted");
        Assert.Equal(sends.Count, accepted.Count);
        var newEvents = accepted.Sum(m => int.Parse(System.Text.RegularExpressions.Regex.Match(m, @"(\d+) new event").Groups[1].Value));
        Assert.Equal(expected.Count, newEvents);
    }

    [Fact]
    public async Task BatchWithAFailingDelivery_CommitsTheOthersAndFailsOnlyThatOne()
    {
        var (org, tenantId, workspaceId, _) = await ConnectedAsync();
        await using var _ = org;
        var committer = org.App.Services.GetRequiredService<HookBatchCommitter>();
        ActivityEntry Audit(string name, StoreResult r) => new()
        {
            WorkspaceId = workspaceId, TenantId = tenantId, At = DateTime.UtcNow, Action = "hook.delivery.accepted", Outcome = ActivityOutcome.Success,
            Message = $"test delivery {name}: {r.Stored} new event(s)", Actor = "Okta",
        };
        // The poisoned delivery carries an event without JSON: the database refuses it (NOT NULL), so the shared commit fails.
        var batch = new[] { "a", "b", "poison", "c", "d" }.Select(name => new PendingStore(new StoreRequest(workspaceId, tenantId,
            name == "poison" ? [Incoming("fc-poison-1"), Incoming("fc-poison-1") with { Uuid = "fc-poison-2", Json = null! }] : [Incoming($"fc-{name}-1"), Incoming($"fc-{name}-2"), Incoming("fc-shared")],
            EventSource.Hook, r => Audit(name, r)))).ToList();

        await committer.CommitAsync(batch, CancellationToken.None);

        Assert.True(batch[2].Durable.IsFaulted);
        var results = batch.Where((_, i) => i != 2).Select(p => p.Durable.Result).ToList();
        Assert.Equal([3, 2, 2, 2], results.Select(r => r.Stored));
        Assert.Equal([0, 1, 1, 1], results.Select(r => r.Duplicates));
        var stored = await HookUuidsAsync(org, tenantId);
        Assert.Equal(new[] { "fc-a-1", "fc-a-2", "fc-b-1", "fc-b-2", "fc-c-1", "fc-c-2", "fc-d-1", "fc-d-2", "fc-shared" }, stored.Order());
        var audited = await ActivityMessagesAsync(org, "hook.delivery.accepted");
        Assert.Equal(4, audited.Count(m => m.StartsWith("test delivery ", StringComparison.Ordinal)));
        Assert.DoesNotContain(audited, m => m.Contains("poison", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReusedUuid_SameContentIsADuplicate_OtherContentIsKeptUnderItsOwnKey_AnotherPublishTimeIsAnotherEvent()
    {
        var (org, tenantId, workspaceId, _) = await ConnectedAsync();
        await using var _ = org;
        var original = Incoming("ru-1");
        IncomingEvent Other(string message) => original with { Json = original.Json.Replace("User login to Okta", message, StringComparison.Ordinal) };
        async Task<StoreResult> StoreAsync(params IncomingEvent[] events)
        {
            await using var scope = org.App.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<EventStore>().StoreAsync(workspaceId, tenantId, events, EventSource.Preview, CancellationToken.None);
        }

        // One commit: the event, a redelivery of it, and a placeholder uuid reused for other content (Preview samples).
        var first = await StoreAsync(original, original, Other("Preview sample one"));
        // A later commit: both again, plus a third content under the same uuid.
        var second = await StoreAsync(Other("Preview sample one"), original, Other("Preview sample two"), Other("Preview sample two"));

        // The same uuid published at another time: an event of its own (a redelivery repeats the publish time).
        var later = await StoreAsync(original with { Published = original.Published.AddHours(1) });

        Assert.Equal((2, 1), (first.Stored, first.Duplicates));
        Assert.Equal((1, 3), (second.Stored, second.Duplicates));
        Assert.Equal((1, 0), (later.Stored, later.Duplicates));
        await using var scope = org.App.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Events.IgnoreQueryFilters()
            .Where(e => e.TenantId == tenantId && e.Uuid.StartsWith("ru-1")).OrderBy(e => e.Id).Select(e => new { e.Uuid, e.Json, e.Published }).ToListAsync();
        Assert.Equal(4, rows.Count);
        Assert.Equal(("ru-1", original.Json), (rows[0].Uuid, rows[0].Json));
        Assert.All(rows.Skip(1).Take(2), r => Assert.Matches("^ru-1~[0-9a-f]{16}$", r.Uuid));
        Assert.Contains("Preview sample one", rows[1].Json);
        Assert.Contains("Preview sample two", rows[2].Json);
        Assert.Equal(("ru-1", original.Published.AddHours(1)), (rows[3].Uuid, rows[3].Published));
    }

    [SqliteOnlyFact("it reads SQLite's database file apart from its write-ahead log.")]
    public async Task AcknowledgedEvents_ReachTheDatabaseFile_ThroughTheBackgroundCheckpoint()
    {
        var (org, http) = await DeliveredAsync("ck-1", "ck-2");
        await using var _ = org;
        using var __ = http;

        // A copy of the database file alone holds only what was checkpointed out of the log. SQLite's own checkpoint
        // waits for thousands of pages, so two events get there only through the background checkpointer.
        var copy = Path.Combine(org.App.DataDirectory, "checkpointed-copy.db");
        var count = await TestOrg.EventuallyAsync(async () =>
        {
            try
            {
                File.Copy(Path.Combine(org.App.DataDirectory, "identiguard.db"), copy, overwrite: true);
                await using var db = new SqliteConnection($"Data Source={copy};Mode=ReadOnly;Pooling=False");
                await db.OpenAsync();
                await using var query = db.CreateCommand();
                query.CommandText = "SELECT COUNT(*) FROM \"Events\" WHERE \"Uuid\" IN ('ck-1', 'ck-2')";
                return Convert.ToInt32(await query.ExecuteScalarAsync());
            }
            catch (SqliteException)
            {
                return -1; // copied mid-checkpoint; the next copy is whole
            }
        }, n => n == 2, TimeSpan.FromSeconds(30));
        Assert.Equal(2, count);
    }

    [SqliteOnlyFact("the test fills the queue by holding SQLite's write lock; PostgreSQL has no such lock to hold.")]
    public async Task FullQueue_Answers503AndStoresEverythingItAccepted()
    {
        var (org, tenantId, workspaceId, secret) = await ConnectedAsync(new Dictionary<string, string?> { ["IdentiGuard:HookCommit:MaxQueuedEvents"] = "100" });
        await using var _ = org;
        var queue = org.App.Services.GetRequiredService<HookDeliveryQueue>();
        using var http = org.App.Anonymous();

        // Hold SQLite's write lock, as a long commit elsewhere would: the writer takes the first request and waits for it.
        await using var blocker = new SqliteConnection($"Data Source={Path.Combine(org.App.DataDirectory, "identiguard.db")};Pooling=False");
        await blocker.OpenAsync();
        await using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync();
        }
        var first = queue.TryEnqueue(new StoreRequest(workspaceId, tenantId, [Incoming("fq-first")], EventSource.Hook));
        Assert.NotNull(first);
        await TestOrg.EventuallyAsync(() => Task.FromResult(queue.QueuedEvents), n => n == 0);
        var filler = queue.TryEnqueue(new StoreRequest(workspaceId, tenantId, Enumerable.Range(0, 100).Select(i => Incoming($"fq-fill-{i}")).ToList(), EventSource.Hook));
        Assert.NotNull(filler);

        using var refused = await http.SendAsync(Delivery(tenantId, secret, ["fq-refused"]));
        await using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        Assert.Equal(1, (await first.Durable).Stored);
        Assert.Equal(100, (await filler.Durable).Stored);
        using var retried = await http.SendAsync(Delivery(tenantId, secret, ["fq-refused"]));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var stored = await HookUuidsAsync(org, tenantId);
        Assert.Equal(102, stored.Count);
        Assert.Single(stored, "fq-refused");
        var rejections = await ActivityMessagesAsync(org, "hook.delivery.rejected");
        Assert.Contains(rejections, m => m.Contains("Refused 1 event hook delivery (503)", StringComparison.Ordinal));
    }
}
