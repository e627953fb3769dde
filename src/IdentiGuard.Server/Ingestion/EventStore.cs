using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Server.Storage;
using IdentiGuard.Server.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Ingestion;

public sealed record StoreResult(int Stored, int Duplicates);

/// <summary>One delivery's (or one System Log page's) events to store, with the activity entry that records the store.</summary>
/// <param name="Audit">Builds the activity entry saved in the same commit; a request with no events and an audit only writes the entry.</param>
public sealed record StoreRequest(Guid WorkspaceId, Guid TenantId, IReadOnlyList<IncomingEvent> Events, EventSource Source, Func<StoreResult, ActivityEntry>? Audit = null);

/// <summary>
/// The one idempotent store every ingestion path feeds: events are unique per tenant by <c>uuid</c> and publish time
/// (a redelivery carries both), so whichever path brings an event first stores it and the others are counted as
/// duplicates. Returns only after the commit is durable.
/// Many requests can share one commit (<see cref="StoreBatchAsync"/>): each is deduplicated as if the earlier requests
/// of the batch had been committed before it, so grouping changes the number of fsyncs, not the outcome.
/// </summary>
public sealed class EventStore(IDbContextFactory<IdentiGuardDbContext> dbFactory, WriteTurns turns, TimeProvider time, IdentiGuardMetrics metrics)
{
    private static readonly string[] ActivityColumns =
        [nameof(ActivityEntry.WorkspaceId), nameof(ActivityEntry.TenantId), nameof(ActivityEntry.At), nameof(ActivityEntry.Action), nameof(ActivityEntry.Outcome),
         nameof(ActivityEntry.Message), nameof(ActivityEntry.OktaRequestId), nameof(ActivityEntry.OktaErrorCode), nameof(ActivityEntry.Actor), nameof(ActivityEntry.ActorIp),
         nameof(ActivityEntry.Before), nameof(ActivityEntry.After)];

    private static readonly string[] ArrivalKeys = [nameof(ArrivalCount.TenantId), nameof(ArrivalCount.Hour), nameof(ArrivalCount.Source)];

    /// <summary>Keeps each existence query's parameter list well below every provider's limit.</summary>
    private const int LookupChunk = 500;

    private static readonly string[] EventColumns =
        [nameof(StoredEvent.WorkspaceId), nameof(StoredEvent.TenantId), nameof(StoredEvent.Uuid), nameof(StoredEvent.EventType), nameof(StoredEvent.Published),
         nameof(StoredEvent.ReceivedAt), nameof(StoredEvent.Source), nameof(StoredEvent.ActorId), nameof(StoredEvent.ActorAlternateId), nameof(StoredEvent.ClientIp),
         nameof(StoredEvent.OutcomeResult), nameof(StoredEvent.Json)];

    public async Task<StoreResult> StoreAsync(Guid workspaceId, Guid tenantId, IReadOnlyList<IncomingEvent> events, EventSource source, CancellationToken ct,
        Func<StoreResult, ActivityEntry>? audit = null)
        => (await StoreBatchAsync([new StoreRequest(workspaceId, tenantId, events, source, audit)], ct))[0];

    /// <summary>Stores every request in one transaction (one durable commit); all or nothing.</summary>
    public async Task<IReadOnlyList<StoreResult>> StoreBatchAsync(IReadOnlyList<StoreRequest> requests, CancellationToken ct)
    {
        // Inserts skip stored keys, so a concurrent store of the same events (a poller page, another host) cannot fail
        // this one; on PostgreSQL, two such stores taking the same keys in different orders can still deadlock, and the
        // database then aborts one: a retry sees the other's rows as duplicates.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var results = await TryStoreAsync(requests, ct);
                for (var i = 0; i < requests.Count; i++) metrics.EventsStored(requests[i].Source, results[i]);
                return results;
            }
            catch (Exception ex) when (ex is DbUpdateException or DbException && attempt == 0)
            {
            }
        }
    }

    /// <summary>
    /// Inserts every event under its uuid unless that uuid is stored with the same publish time; then sorts out the
    /// collisions, which are rare on the hook path: the same content is a duplicate, other content is kept under a
    /// content-qualified key. Letting the unique index find the stored events spares the hook path a lookup query per
    /// commit. Events and activity entries go through prepared statements, since an EF statement per row was most of a
    /// commit's time under SQLite's lock.
    /// </summary>
    private async Task<StoreResult[]> TryStoreAsync(IReadOnlyList<StoreRequest> requests, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var rows = new List<StoredEvent>();
        var sources = new List<(int Owner, IncomingEvent Event)>();
        for (var i = 0; i < requests.Count; i++)
            foreach (var e in requests[i].Events)
            {
                rows.Add(Row(requests[i], e, e.Uuid, now));
                sources.Add((i, e));
            }
        if (rows.Count == 0 && requests.All(r => r.Audit is null)) return [.. requests.Select(_ => new StoreResult(0, 0))];

        var stored = new int[requests.Count];
        using var turn = await turns.TakeAsync(WriteTurns.Writer.Ingestion);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var inserted = await PreparedRows.InsertNewAsync(db, rows, EventColumns, ct);
        var collided = Enumerable.Range(0, rows.Count).Where(i => !inserted[i]).ToList();
        var qualified = new List<(StoredEvent Row, int Owner)>();
        if (collided.Count > 0)
        {
            var storedJson = await StoredJsonAsync(db, collided.Select(i => rows[i]).ToList(), ct);
            // Okta never reuses a uuid for different content, so other content under a stored uuid is a placeholder id
            // (Preview sample data): it is kept apart under a content-qualified key instead of being dropped.
            foreach (var i in collided)
            {
                var (owner, e) = sources[i];
                if (storedJson[(rows[i].TenantId, e.Published, e.Uuid)] != e.Json) qualified.Add((Row(requests[owner], e, Qualified(e), now), owner));
            }
        }
        var insertedQualified = await PreparedRows.InsertNewAsync(db, qualified.Select(q => q.Row).ToList(), EventColumns, ct);
        for (var i = 0; i < rows.Count; i++) if (inserted[i]) stored[sources[i].Owner]++;
        for (var i = 0; i < qualified.Count; i++) if (insertedQualified[i]) stored[qualified[i].Owner]++;

        await PreparedRows.AddCountsAsync(db, ArrivalCounts(requests, stored, now), ArrivalKeys, [nameof(ArrivalCount.Count)], ct);

        var results = requests.Select((r, i) => new StoreResult(stored[i], r.Events.Count - stored[i])).ToArray();
        var audits = requests.Select((r, i) => r.Audit?.Invoke(results[i])).OfType<ActivityEntry>().ToList();
        await PreparedRows.InsertAsync(db, audits, ActivityColumns, ct);
        await transaction.CommitAsync(ct);
        return results;
    }

    /// <summary>The new events per tenant and path, in key order (two hosts' commits then lock the rows in one order).</summary>
    private static List<ArrivalCount> ArrivalCounts(IReadOnlyList<StoreRequest> requests, int[] stored, DateTime now)
    {
        var hour = ArrivalCount.HourOf(now);
        return requests.Select((r, i) => (r.TenantId, r.Source, Stored: stored[i])).Where(x => x.Stored > 0)
            .GroupBy(x => (x.TenantId, x.Source))
            .Select(g => new ArrivalCount { TenantId = g.Key.TenantId, Hour = hour, Source = g.Key.Source, Count = g.Sum(x => x.Stored) })
            .OrderBy(c => c.TenantId).ThenBy(c => c.Source).ToList();
    }

    private static StoredEvent Row(StoreRequest request, IncomingEvent e, string key, DateTime receivedAt) => new()
    {
        WorkspaceId = request.WorkspaceId, TenantId = request.TenantId, Uuid = key, EventType = e.EventType, Published = e.Published, ReceivedAt = receivedAt,
        Source = request.Source, ActorId = e.ActorId, ActorAlternateId = e.ActorAlternateId, ClientIp = e.ClientIp, OutcomeResult = e.OutcomeResult, Json = e.Json,
    };

    /// <summary>The stored JSON of the rows' (tenant, publish time, uuid) keys, read in the store's transaction.</summary>
    private static async Task<Dictionary<(Guid, DateTime, string), string>> StoredJsonAsync(IdentiGuardDbContext db, IReadOnlyList<StoredEvent> rows, CancellationToken ct)
    {
        var json = new Dictionary<(Guid, DateTime, string), string>();
        foreach (var tenant in rows.GroupBy(r => r.TenantId))
            foreach (var chunk in tenant.DistinctBy(r => (r.Published, r.Uuid)).Chunk(LookupChunk))
            {
                // Both lists narrow the index's range; the dictionary keeps only the exact pairs asked for.
                var published = chunk.Select(r => r.Published).Distinct().ToList();
                var uuids = chunk.Select(r => r.Uuid).Distinct(StringComparer.Ordinal).ToList();
                var stored = await db.Events.IgnoreQueryFilters().AsNoTracking()
                    .Where(e => e.TenantId == tenant.Key && published.Contains(e.Published) && uuids.Contains(e.Uuid))
                    .Select(e => new { e.Published, e.Uuid, e.Json })
                    .ToListAsync(ct);
                foreach (var row in stored) json[(tenant.Key, row.Published, row.Uuid)] = row.Json;
            }
        return json;
    }

    private static string Qualified(IncomingEvent e)
    {
        var key = $"{e.Uuid}~{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(e.Json)))[..16]}";
        return key.Length <= 100 ? key : key[^100..];
    }
}
