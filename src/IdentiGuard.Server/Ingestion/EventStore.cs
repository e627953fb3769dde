using System.Security.Cryptography;
using System.Text;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Ingestion;

public sealed record StoreResult(int Stored, int Duplicates);

/// <summary>
/// The one idempotent store every ingestion path feeds: events are unique per tenant by <c>uuid</c>, so whichever path
/// brings an event first stores it and the others are counted as duplicates. Returns only after the commit is durable.
/// </summary>
public sealed class EventStore(IDbContextFactory<IdentiGuardDbContext> dbFactory, TimeProvider time)
{
    /// <param name="audit">Builds the activity entry that records this store, saved in the same commit (one fsync per delivery).</param>
    public async Task<StoreResult> StoreAsync(Guid workspaceId, Guid tenantId, IReadOnlyList<IncomingEvent> events, EventSource source, CancellationToken ct,
        Func<StoreResult, ActivityEntry>? audit = null)
    {
        // A concurrent delivery of the same events can win the race between the check and the insert; the unique index
        // refuses the loser, and one retry sees the winner's rows as duplicates.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TryStoreAsync(workspaceId, tenantId, events, source, audit, ct);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
            }
        }
    }

    private async Task<StoreResult> TryStoreAsync(Guid workspaceId, Guid tenantId, IReadOnlyList<IncomingEvent> events, EventSource source,
        Func<StoreResult, ActivityEntry>? audit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (events.Count == 0)
        {
            if (audit is not null)
            {
                db.Activity.Add(audit(new StoreResult(0, 0)));
                await db.SaveChangesAsync(ct);
            }
            return new StoreResult(0, 0);
        }
        var uuids = events.Select(e => e.Uuid).Distinct().ToList();
        var existing = await db.Events.IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.TenantId == tenantId && uuids.Contains(e.Uuid))
            .Select(e => new { e.Uuid, e.Json })
            .ToDictionaryAsync(e => e.Uuid, e => e.Json, ct);

        var qualified = events.Where(e => existing.TryGetValue(e.Uuid, out var json) && json != e.Json).Select(Qualified).ToList();
        if (qualified.Count > 0)
        {
            var stored = await db.Events.IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.TenantId == tenantId && qualified.Contains(e.Uuid)).Select(e => e.Uuid).ToListAsync(ct);
            foreach (var key in stored) existing[key] = "";
        }

        var now = time.GetUtcNow().UtcDateTime;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var e in events)
        {
            var key = KeyFor(e, existing);
            if (existing.ContainsKey(key) || !seen.Add(key))
            {
                duplicates++;
                continue;
            }
            db.Events.Add(new StoredEvent
            {
                WorkspaceId = workspaceId, TenantId = tenantId, Uuid = key, EventType = e.EventType, Published = e.Published, ReceivedAt = now,
                Source = source, ActorId = e.ActorId, ActorAlternateId = e.ActorAlternateId, ClientIp = e.ClientIp, OutcomeResult = e.OutcomeResult, Json = e.Json,
            });
        }
        var result = new StoreResult(events.Count - duplicates, duplicates);
        if (audit is not null) db.Activity.Add(audit(result));
        await db.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>
    /// Okta never reuses a uuid for different content, so a stored event with the same uuid but other content is a
    /// placeholder id (Preview sample data): it is kept apart under a content-qualified key instead of being dropped.
    /// </summary>
    private static string KeyFor(IncomingEvent e, IReadOnlyDictionary<string, string> existing)
        => existing.TryGetValue(e.Uuid, out var storedJson) && storedJson != e.Json ? Qualified(e) : e.Uuid;

    private static string Qualified(IncomingEvent e)
    {
        var key = $"{e.Uuid}~{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(e.Json)))[..16]}";
        return key.Length <= 100 ? key : key[^100..];
    }
}
