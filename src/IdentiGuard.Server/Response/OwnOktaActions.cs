using System.Text.Json;
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
    public async Task<IReadOnlyList<StoredEvent>> WithoutOwnAsync(IdentiGuardDbContext db, Tenant tenant, IReadOnlyList<StoredEvent> batch, CancellationToken ct)
    {
        var candidates = new List<(StoredEvent Event, string? TransactionId)>(batch.Count);
        var own = new HashSet<long>();
        foreach (var e in batch)
        {
            if (IsOwnActor(e.ActorId, tenant.ClientId)) { own.Add(e.Id); continue; }
            var (clientId, transactionId) = ClientAndTransaction(e.Json);
            if (IsOwnActor(clientId, tenant.ClientId)) { own.Add(e.Id); continue; }
            candidates.Add((e, transactionId));
        }
        var transactionIds = candidates.Where(c => c.TransactionId is not null).Select(c => c.TransactionId!).Distinct().ToList();
        if (transactionIds.Count > 0)
        {
            var ours = (await db.Activity.IgnoreQueryFilters().AsNoTracking()
                .Where(a => a.TenantId == tenant.Id && a.OktaRequestId != null && transactionIds.Contains(a.OktaRequestId))
                .Select(a => a.OktaRequestId!).Distinct().ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
            foreach (var (e, transactionId) in candidates)
                if (transactionId is not null && ours.Contains(transactionId)) own.Add(e.Id);
        }
        return own.Count == 0 ? batch : batch.Where(e => !own.Contains(e.Id)).ToList();
    }

    public static bool IsOwnActor(string? actorOrClientId, string? tenantClientId)
        => !string.IsNullOrEmpty(actorOrClientId) && string.Equals(actorOrClientId, tenantClientId, StringComparison.Ordinal);

    private static (string? ClientId, string? TransactionId) ClientAndTransaction(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            return (Text(root, "client", "id"), Text(root, "transaction", "id"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? Text(JsonElement root, string parent, string name)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(parent, out var p) && p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
