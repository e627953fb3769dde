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
/// The one idempotent store every ingestion path feeds: events are unique per tenant by <c>uuid</c>, so whichever path
/// brings an event first stores it and the others are counted as duplicates. Returns only after the commit is durable.
/// Many requests can share one commit (<see cref="StoreBatchAsync"/>): each is deduplicated as if the earlier requests
/// of the batch had been committed before it, so grouping changes the number of fsyncs, not the outcome.
/// </summary>
public sealed class EventStore(IDbContextFactory<IdentiGuardDbContext> dbFactory, TimeProvider time, IdentiGuardMetrics metrics)
{
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
        // A concurrent store of the same events (a poller page, another host) can win the race between the check and
        // the insert; the unique index refuses the loser, and one retry sees the winner's rows as duplicates.
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

    private async Task<StoreResult[]> TryStoreAsync(IReadOnlyList<StoreRequest> requests, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = new List<StoredEvent>();
        var results = new StoreResult[requests.Count];
        var now = time.GetUtcNow().UtcDateTime;

        foreach (var tenant in Enumerable.Range(0, requests.Count).GroupBy(i => requests[i].TenantId))
        {
            var known = await KnownKeysAsync(db, tenant.Key, tenant.Select(i => requests[i]).ToList(), ct);
            foreach (var index in tenant)
            {
                var request = requests[index];
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var inserted = new List<(string Key, string Json)>();
                foreach (var e in request.Events)
                {
                    var key = KeyFor(e, known);
                    if (known.ContainsKey(key) || !seen.Add(key)) continue;
                    rows.Add(new StoredEvent
                    {
                        WorkspaceId = request.WorkspaceId, TenantId = request.TenantId, Uuid = key, EventType = e.EventType, Published = e.Published, ReceivedAt = now,
                        Source = request.Source, ActorId = e.ActorId, ActorAlternateId = e.ActorAlternateId, ClientIp = e.ClientIp, OutcomeResult = e.OutcomeResult, Json = e.Json,
                    });
                    inserted.Add((key, e.Json));
                }
                // Later requests of the batch see these as stored, as they would after a separate commit.
                foreach (var (key, json) in inserted) known[key] = json;
                results[index] = new StoreResult(inserted.Count, request.Events.Count - inserted.Count);
            }
        }

        for (var i = 0; i < requests.Count; i++)
            if (requests[i].Audit is { } audit) db.Activity.Add(audit(results[i]));
        if (rows.Count == 0 && !db.ChangeTracker.HasChanges()) return results;

        // The events go through one prepared statement (an EF insert per event was most of a commit's CPU), the activity
        // entries through EF, both in the one durable commit.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await PreparedRows.InsertAsync(db, rows, EventColumns, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return results;
    }

    /// <summary>
    /// The stored keys the requests' events could collide with: uuid → stored JSON, and content-qualified keys (value
    /// "", existence only) for events whose uuid is stored, or repeated in the batch, with other content.
    /// </summary>
    private static async Task<Dictionary<string, string>> KnownKeysAsync(IdentiGuardDbContext db, Guid tenantId, IReadOnlyList<StoreRequest> requests, CancellationToken ct)
    {
        var events = requests.SelectMany(r => r.Events).ToList();
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in events.Select(e => e.Uuid).Distinct(StringComparer.Ordinal).Chunk(LookupChunk))
        {
            var rows = await db.Events.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.TenantId == tenantId && chunk.Contains(e.Uuid))
                .Select(e => new { e.Uuid, e.Json })
                .ToListAsync(ct);
            foreach (var row in rows) known[row.Uuid] = row.Json;
        }

        var repeatedWithOtherContent = events.GroupBy(e => e.Uuid, StringComparer.Ordinal)
            .Where(g => g.Select(e => e.Json).Distinct(StringComparer.Ordinal).Skip(1).Any()).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var qualified = events
            .Where(e => known.TryGetValue(e.Uuid, out var json) && json != e.Json || repeatedWithOtherContent.Contains(e.Uuid))
            .Select(Qualified).Distinct(StringComparer.Ordinal).ToList();
        foreach (var chunk in qualified.Chunk(LookupChunk))
        {
            var stored = await db.Events.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.TenantId == tenantId && chunk.Contains(e.Uuid)).Select(e => e.Uuid).ToListAsync(ct);
            foreach (var key in stored) known[key] = "";
        }
        return known;
    }

    /// <summary>
    /// Okta never reuses a uuid for different content, so a stored event with the same uuid but other content is a
    /// placeholder id (Preview sample data): it is kept apart under a content-qualified key instead of being dropped.
    /// </summary>
    private static string KeyFor(IncomingEvent e, IReadOnlyDictionary<string, string> known)
        => known.TryGetValue(e.Uuid, out var storedJson) && storedJson != e.Json ? Qualified(e) : e.Uuid;

    private static string Qualified(IncomingEvent e)
    {
        var key = $"{e.Uuid}~{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(e.Json)))[..16]}";
        return key.Length <= 100 ? key : key[^100..];
    }
}
