using IdentiGuard.Data;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Suppression;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Entities;

public sealed record EntityEvent(long Id, string Uuid, string EventType, DateTime Published, string? Actor, string? Ip, string? OutcomeResult);

public sealed record LocationSeen(string? City, string? Country, int Count, DateTime LastSeen);

public sealed record DeviceSeen(string? Browser, string? Os, string? Device, string? RawUserAgent, int Count, DateTime LastSeen);

public sealed record IpSeen(string Ip, int Count, DateTime LastSeen);

public sealed record UserSeen(string User, int Count, DateTime LastSeen);

public sealed record UserEntity(string Key, string? OktaUserId, string? Login, int EventCount, IReadOnlyList<EntityEvent> RecentEvents, IReadOnlyList<LocationSeen> Locations,
    IReadOnlyList<DeviceSeen> Devices, IReadOnlyList<IpSeen> Ips, IReadOnlyList<EntityEvent> FactorChanges, IReadOnlyList<AlertSummary> Alerts);

public sealed record IpEntity(string Ip, int EventCount, long? Asn, string? AsOrg, string? Isp, bool? IsProxy, string? City, string? Country,
    IReadOnlyList<UserSeen> Users, IReadOnlyList<EntityEvent> RecentEvents, IReadOnlyList<AlertSummary> Alerts);

/// <summary>
/// What the stored events and alerts of the current workspace say about one Okta user or one client IP. Locations,
/// devices, ASN and proxy flag come from the events' <c>client</c> and <c>securityContext</c>.
/// </summary>
public sealed class EntityQueries(IDbContextFactory<IdentiGuardDbContext> dbFactory)
{
    private const int Recent = 50;
    /// <summary>Locations and devices are summarised over the user's latest sign-in events.</summary>
    private const int ProfileSample = 1000;

    public async Task<UserEntity?> GetUserAsync(string key, CancellationToken ct = default)
    {
        key = key.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = db.Events.AsNoTracking().Where(e => e.ActorId == key || e.ActorAlternateId == key);
        var count = await events.CountAsync(ct);
        var alerts = await AlertQueries.Project(db, AlertQueries.Filtered(db, new AlertFilter { User = key, Suppressed = SuppressedFilter.Include })
            .OrderByDescending(a => a.LastSeen).Take(100)).ToListAsync(ct);
        if (count == 0 && alerts.Count == 0) return null;

        var identity = await events.OrderByDescending(e => e.Id).Select(e => new { e.ActorId, e.ActorAlternateId }).FirstOrDefaultAsync(ct);
        var recent = await Recently(events).ToListAsync(ct);
        var signIns = await events.Where(e => e.EventType.StartsWith("user.session.start") || e.EventType.StartsWith("user.authentication"))
            .OrderByDescending(e => e.Id).Take(ProfileSample).Select(e => new { e.Json, e.ClientIp, e.Published }).ToListAsync(ct);
        var facts = signIns.Select(e => (Facts: EventFacts.Parse(e.Json, ip: e.ClientIp), e.Published)).ToList();
        var locations = facts.GroupBy(f => (f.Facts.City, f.Facts.Country))
            .Select(g => new LocationSeen(g.Key.City, g.Key.Country, g.Count(), g.Max(x => x.Published))).OrderByDescending(l => l.LastSeen).ToList();
        var devices = facts.GroupBy(f => (f.Facts.Browser, f.Facts.Os, f.Facts.Device, f.Facts.RawUserAgent))
            .Select(g => new DeviceSeen(g.Key.Browser, g.Key.Os, g.Key.Device, g.Key.RawUserAgent, g.Count(), g.Max(x => x.Published))).OrderByDescending(d => d.LastSeen).ToList();
        var ips = facts.Where(f => f.Facts.Ip is not null).GroupBy(f => f.Facts.Ip!)
            .Select(g => new IpSeen(g.Key, g.Count(), g.Max(x => x.Published))).OrderByDescending(i => i.LastSeen).ToList();
        // Factor changes are about the user as actor (self-service) or as target (an admin reset): the raw event names them.
        var factorChanges = await Recently(db.Events.AsNoTracking().Where(e => e.EventType.StartsWith("user.mfa.factor")
            && (e.ActorId == key || e.ActorAlternateId == key || e.Json.Contains("\"" + key + "\"")))).ToListAsync(ct);
        return new UserEntity(key, identity?.ActorId, identity?.ActorAlternateId, count, recent, locations, devices, ips, factorChanges, alerts);
    }

    public async Task<IpEntity?> GetIpAsync(string ip, CancellationToken ct = default)
    {
        ip = ip.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = db.Events.AsNoTracking().Where(e => e.ClientIp == ip);
        var count = await events.CountAsync(ct);
        if (count == 0) return null;
        var latest = await events.OrderByDescending(e => e.Id).Select(e => e.Json).FirstAsync(ct);
        var facts = EventFacts.Parse(latest, ip: ip);
        // Summarised in memory over the latest events: SQLite cannot aggregate the stored UTC times.
        var seen = await events.Where(e => e.ActorAlternateId != null || e.ActorId != null).OrderByDescending(e => e.Id).Take(ProfileSample)
            .Select(e => new { User = e.ActorAlternateId ?? e.ActorId, e.Published }).ToListAsync(ct);
        var users = seen.GroupBy(e => e.User!).Select(g => new UserSeen(g.Key, g.Count(), g.Max(e => e.Published)))
            .OrderByDescending(u => u.LastSeen).Take(200).ToList();
        var alerts = await AlertQueries.Project(db, AlertQueries.Filtered(db, new AlertFilter { Ip = ip, Suppressed = SuppressedFilter.Include })
            .OrderByDescending(a => a.LastSeen).Take(100)).ToListAsync(ct);
        return new IpEntity(ip, count, facts.Asn, facts.AsOrg, facts.Isp, facts.IsProxy, facts.City, facts.Country, users, await Recently(events).ToListAsync(ct), alerts);
    }

    private static IQueryable<EntityEvent> Recently(IQueryable<IdentiGuard.Data.Ingestion.StoredEvent> events) =>
        events.OrderByDescending(e => e.Published).ThenByDescending(e => e.Id).Take(Recent)
            .Select(e => new EntityEvent(e.Id, e.Uuid, e.EventType, e.Published, e.ActorAlternateId ?? e.ActorId, e.ClientIp, e.OutcomeResult));
}
