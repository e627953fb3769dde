using System.Net;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Suppression;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Suppression;

/// <summary>
/// Decides, where alerts are raised, whether a match is silenced. Reads the entries that are active on its own clock
/// (a keyed <see cref="TimeProvider"/>, so tests move suppression time past an expiry without moving the whole host).
/// </summary>
public sealed class SuppressionMatcher([FromKeyedServices(SuppressionMatcher.ClockKey)] TimeProvider clock)
{
    public const string ClockKey = "suppression";

    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The tenant's entries active now, tracked so match counts are saved with the caller's alerts.</summary>
    public async Task<ActiveSuppressions> LoadAsync(IdentiGuardDbContext db, Guid workspaceId, Guid tenantId, CancellationToken ct)
    {
        var now = Now;
        var local = db.Suppressions.Local.Where(s => s.WorkspaceId == workspaceId).ToList();
        if (local.Count == 0)
            local = await db.Suppressions.IgnoreQueryFilters()
                .Where(s => s.WorkspaceId == workspaceId && s.ExpiresAt > now && (s.TenantId == null || s.TenantId == tenantId))
                .ToListAsync(ct);
        return new ActiveSuppressions(local.Where(s => s.ExpiresAt > now && (s.TenantId is null || s.TenantId == tenantId)).ToList(), now);
    }
}

public sealed class ActiveSuppressions(IReadOnlyList<SuppressionEntry> entries, DateTime now)
{
    /// <summary>
    /// The first entry whose rule matches and whose every entity field matches every evidence event: a suppression never
    /// hides activity outside its scope (a finding that also involves an unlisted IP stays visible).
    /// </summary>
    public SuppressionEntry? Match(string ruleId, IReadOnlyList<StoredEvent> evidence)
    {
        if (entries.Count == 0) return null;
        List<EventFacts>? facts = null;
        foreach (var entry in entries)
        {
            if (entry.RuleId is { } rule && !string.Equals(rule, ruleId, StringComparison.Ordinal)) continue;
            if (HasEntityScope(entry))
            {
                facts ??= evidence.Select(EventFacts.Of).ToList();
                if (facts.Count == 0 || !facts.All(f => Matches(entry, f))) continue;
            }
            entry.MatchCount++;
            entry.LastMatchedAt = now;
            return entry;
        }
        return null;
    }

    public static bool HasEntityScope(SuppressionEntry e) =>
        e.User is not null || e.Group is not null || e.IpCidr is not null || e.Country is not null || e.Asn is not null;

    public static bool Matches(SuppressionEntry entry, EventFacts f) =>
        (entry.User is null || f.IsUser(entry.User))
        && (entry.Group is null || f.InGroup(entry.Group))
        && (entry.IpCidr is null || (TryParseNetwork(entry.IpCidr, out var network) && f.InNetwork(network)))
        && (entry.Country is null || string.Equals(entry.Country, f.Country, StringComparison.OrdinalIgnoreCase))
        && (entry.Asn is null || entry.Asn == f.Asn);

    /// <summary>A single address counts as its own /32 or /128 network.</summary>
    public static bool TryParseNetwork(string value, out IPNetwork network)
    {
        if (IPNetwork.TryParse(value, out network)) return true;
        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }
}
