using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Tenants;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Response;

/// <summary>
/// Recognises what IdentiGuard itself did in Okta (hook changes, response actions, anything its service app calls), so
/// it is labelled as IdentiGuard's and never raised as suspicious activity. An event is IdentiGuard's when its actor or
/// <c>client.id</c> is the tenant's client id (Okta logs a service app's calls with the app as actor), or when its
/// <c>transaction.id</c> is the <c>X-Okta-Request-Id</c> of a call IdentiGuard made (kept in the activity log).
/// </summary>
public sealed class OwnOktaActions
{
    public const string Label = "IdentiGuard";

    /// <summary>The batch without IdentiGuard's own events (the events themselves stay stored and searchable).</summary>
    public async Task<IReadOnlyList<ParsedEvent>> WithoutOwnAsync(IdentiGuardDbContext db, Tenant tenant, IReadOnlyList<ParsedEvent> batch, CancellationToken ct)
    {
        var candidates = new List<(ParsedEvent Event, string? TransactionId)>(batch.Count);
        var own = new HashSet<long>();
        foreach (var e in batch)
        {
            if (IsOwnActor(e.Stored.ActorId, tenant.ClientId) || IsOwnActor(e.Event.GetString("client.id"), tenant.ClientId))
            {
                own.Add(e.Stored.Id);
                continue;
            }
            candidates.Add((e, e.Event.GetString("transaction.id")));
        }
        var transactionIds = candidates.Where(c => c.TransactionId is not null).Select(c => c.TransactionId!).Distinct().ToList();
        if (transactionIds.Count > 0)
        {
            var ours = (await db.Activity.IgnoreQueryFilters().AsNoTracking()
                .Where(a => a.TenantId == tenant.Id && a.OktaRequestId != null && transactionIds.Contains(a.OktaRequestId))
                .Select(a => a.OktaRequestId!).Distinct().ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
            foreach (var (e, transactionId) in candidates)
                if (transactionId is not null && ours.Contains(transactionId)) own.Add(e.Stored.Id);
        }
        return own.Count == 0 ? batch : batch.Where(e => !own.Contains(e.Stored.Id)).ToList();
    }

    public static bool IsOwnActor(string? actorOrClientId, string? tenantClientId)
        => !string.IsNullOrEmpty(actorOrClientId) && string.Equals(actorOrClientId, tenantClientId, StringComparison.Ordinal);
}

/// <summary>A stored event with its parsed form, which the processing batch shares between the own-action check and the rules.</summary>
public sealed record ParsedEvent(StoredEvent Stored, IdentiGuard.Detection.OktaEvent Event);
