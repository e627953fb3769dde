using IdentiGuard.Data;
using IdentiGuard.Server.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Triage;

public sealed record IncidentTimelineItem(DateTime Published, string EventType, string Uuid, string? Actor, string? Ip, Guid AlertId, string AlertTitle);

public sealed record AlertIncident(Guid AlertId, IReadOnlyList<string> Users, IReadOnlyList<string> Ips, DateTime From, DateTime To,
    IReadOnlyList<AlertSummary> Alerts, IReadOnlyList<IncidentTimelineItem> Timeline);

/// <summary>
/// Groups an alert with the related ones: alerts whose evidence shares a user or a client IP with it and whose activity
/// lies within the incident window of its own. Computed on read, so grouping follows new alerts without a stored state.
/// </summary>
public sealed class AlertIncidents(IDbContextFactory<IdentiGuardDbContext> dbFactory, IOptions<AlertOptions> options)
{
    private const int MaxAlerts = 200;
    private const int MaxTimeline = 500;

    public async Task<AlertIncident?> GetAsync(Guid alertId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alert = await db.Alerts.AsNoTracking().Where(a => a.Id == alertId).Select(a => new { a.Id, a.FirstSeen, a.LastSeen, a.Actor }).FirstOrDefaultAsync(ct);
        if (alert is null) return null;
        var evidence = await db.AlertEvents.Where(x => x.AlertId == alertId).Join(db.Events, x => x.StoredEventId, e => e.Id, (x, e) => new { e.ActorAlternateId, e.ActorId, e.ClientIp })
            .ToListAsync(ct);
        var users = evidence.Select(e => e.ActorAlternateId ?? e.ActorId).OfType<string>().Distinct().ToList();
        var ips = evidence.Select(e => e.ClientIp).OfType<string>().Distinct().ToList();
        var window = options.Value.IncidentWindow;
        var (from, to) = (alert.FirstSeen - window, alert.LastSeen + window);

        var related = db.Alerts.AsNoTracking().Where(a => a.LastSeen >= from && a.FirstSeen <= to && (a.Id == alertId || !a.IsSuppressed))
            .Where(a => a.Id == alertId || db.AlertEvents.Any(x => x.AlertId == a.Id && db.Events.Any(e => e.Id == x.StoredEventId
                && ((e.ActorAlternateId != null && users.Contains(e.ActorAlternateId)) || (e.ActorId != null && users.Contains(e.ActorId))
                    || (e.ClientIp != null && ips.Contains(e.ClientIp))))));
        var alerts = await AlertQueries.Project(db, related.OrderBy(a => a.FirstSeen).Take(MaxAlerts)).ToListAsync(ct);

        var ids = alerts.Select(a => a.Id).ToList();
        var titles = alerts.ToDictionary(a => a.Id, a => a.Title);
        var timeline = await db.AlertEvents.Where(x => ids.Contains(x.AlertId))
            .Join(db.Events, x => x.StoredEventId, e => e.Id, (x, e) => new { x.AlertId, e.Published, e.EventType, e.Uuid, Actor = e.ActorAlternateId ?? e.ActorId, e.ClientIp })
            .OrderBy(e => e.Published).Take(MaxTimeline).ToListAsync(ct);
        return new AlertIncident(alertId, users, ips, alerts.Min(a => a.FirstSeen), alerts.Max(a => a.LastSeen), alerts,
            timeline.Select(e => new IncidentTimelineItem(e.Published, e.EventType, e.Uuid, e.Actor, e.ClientIp, e.AlertId, titles[e.AlertId])).ToList());
    }
}
