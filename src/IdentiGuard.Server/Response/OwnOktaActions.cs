using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Tenants;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Response;

/// <summary>
/// Recognises what IdentiGuard itself did in Okta (hook changes, response actions, anything its service app calls), so
/// it is labelled as IdentiGuard's and never raised as suspicious activity. An event is IdentiGuard's when its actor or
/// <c>client.id</c> is the tenant's client id (Okta logs a service app's calls with the app as actor), or when its
/// <c>transaction.id</c> is the <c>X-Okta-Request-Id</c> of a call IdentiGuard made for the tenant (kept in the
/// activity log) and logged within <see cref="ClockMargin"/> of the event's publish time.
/// </summary>
public sealed class OwnOktaActions
{
    public const string Label = "IdentiGuard";

    /// <summary>
    /// How far a call's activity time may be from the publish time of the events it caused. Okta publishes them while
    /// it handles the call, and IdentiGuard logs the call when Okta has answered, seconds apart; the margin is for a
    /// host clock that is off.
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromHours(1);

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
        if (candidates.Any(c => c.TransactionId is not null))
        {
            // Only the calls logged around the batch's publish times: one range of a small partial index, where
            // looking up each of a batch's hundreds of transaction ids was a fifth of processing's time under load.
            var from = candidates.Min(c => c.Event.Stored.Published) - ClockMargin;
            var to = candidates.Max(c => c.Event.Stored.Published) + ClockMargin;
            var calls = (await db.Activity.IgnoreQueryFilters().AsNoTracking()
                .Where(a => a.TenantId == tenant.Id && a.OktaRequestId != null && a.At >= from && a.At <= to)
                .Select(a => new { RequestId = a.OktaRequestId!, a.At }).ToListAsync(ct)).ToLookup(c => c.RequestId, c => c.At, StringComparer.Ordinal);
            foreach (var (e, transactionId) in candidates)
                if (transactionId is not null && calls[transactionId].Any(at => (at - e.Stored.Published).Duration() <= ClockMargin)) own.Add(e.Stored.Id);
        }
        return own.Count == 0 ? batch : batch.Where(e => !own.Contains(e.Stored.Id)).ToList();
    }

    public static bool IsOwnActor(string? actorOrClientId, string? tenantClientId)
        => !string.IsNullOrEmpty(actorOrClientId) && string.Equals(actorOrClientId, tenantClientId, StringComparison.Ordinal);
}

/// <summary>A stored event with its parsed form, which the processing batch shares between the own-action check and the rules.</summary>
public sealed record ParsedEvent(StoredEvent Stored, IdentiGuard.Detection.OktaEvent Event);
