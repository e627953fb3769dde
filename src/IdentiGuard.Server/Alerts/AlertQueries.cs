using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Alerts;

/// <summary>Which alerts silenced by a suppression entry a list shows.</summary>
public enum SuppressedFilter
{
    /// <summary>Only alerts with at least one visible match (the default).</summary>
    Hide = 0,
    /// <summary>Only alerts whose every match was suppressed.</summary>
    Only = 1,
    Include = 2,
}

public sealed record AlertFilter(Guid? TenantId = null, AlertSeverity? MinSeverity = null, string? EventType = null, string? Search = null, AlertKind? Kind = null, int Skip = 0, int Take = 50)
{
    public IReadOnlyList<AlertStatus>? Statuses { get; init; }
    public string? RuleId { get; init; }
    public Guid? AssigneeId { get; init; }
    public bool Unassigned { get; init; }
    public SuppressedFilter Suppressed { get; init; }
    /// <summary>Alerts about this Okta user (actor id or login), as the alert's actor or in its evidence.</summary>
    public string? User { get; init; }
    /// <summary>Alerts with evidence from this client IP.</summary>
    public string? Ip { get; init; }
}

public sealed record AlertSummary(Guid Id, Guid TenantId, string TenantName, AlertKind Kind, string RuleId, string Title, AlertSeverity Severity, string EventType,
    string Actor, int Count, DateTime FirstSeen, DateTime LastSeen, DateTime CreatedAt, bool IsHistorical,
    AlertStatus Status, string? StatusReason, Guid? AssigneeId, string? Assignee, bool IsSuppressed, int SuppressedCount);

public sealed record AlertEvidence(string Uuid, string EventType, DateTime Published, string Json);

public sealed record AlertDetail(AlertSummary Alert, string? Explanation, IReadOnlyList<string> References, IReadOnlyList<AlertEvidence> Events);

public sealed record AlertPage(IReadOnlyList<AlertSummary> Items, int Total);

/// <summary>Alert reads for the API and the UI, inside the current workspace (the context's filter applies).</summary>
public sealed class AlertQueries(IDbContextFactory<IdentiGuardDbContext> dbFactory)
{
    public async Task<AlertPage> ListAsync(AlertFilter filter, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alerts = Filtered(db, filter);
        var total = await alerts.CountAsync(ct);
        var items = await Project(db, alerts.OrderByDescending(a => a.LastSeen).ThenByDescending(a => a.CreatedAt)
            .Skip(Math.Max(0, filter.Skip)).Take(Math.Clamp(filter.Take, 1, 500))).ToListAsync(ct);
        return new AlertPage(items, total);
    }

    /// <summary>The filtered alerts as a query (exports and entity pages build on it).</summary>
    public static IQueryable<Alert> Filtered(IdentiGuardDbContext db, AlertFilter filter)
    {
        var alerts = db.Alerts.AsNoTracking();
        if (filter.TenantId is { } tenantId) alerts = alerts.Where(a => a.TenantId == tenantId);
        if (filter.MinSeverity is { } severity) alerts = alerts.Where(a => a.Severity >= severity);
        if (filter.Kind is { } kind) alerts = alerts.Where(a => a.Kind == kind);
        if (!string.IsNullOrWhiteSpace(filter.EventType)) alerts = alerts.Where(a => a.EventType == filter.EventType);
        if (!string.IsNullOrWhiteSpace(filter.RuleId)) alerts = alerts.Where(a => a.RuleId == filter.RuleId);
        if (filter.Statuses is { Count: > 0 } statuses) alerts = alerts.Where(a => statuses.Contains(a.Status));
        if (filter.AssigneeId is { } assignee) alerts = alerts.Where(a => a.AssigneeId == assignee);
        if (filter.Unassigned) alerts = alerts.Where(a => a.AssigneeId == null);
        alerts = filter.Suppressed switch
        {
            SuppressedFilter.Hide => alerts.Where(a => !a.IsSuppressed),
            SuppressedFilter.Only => alerts.Where(a => a.IsSuppressed),
            _ => alerts,
        };
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim();
            alerts = alerts.Where(a => a.Title.Contains(term) || a.Actor.Contains(term) || a.EventType.Contains(term) || a.RuleId.Contains(term));
        }
        if (!string.IsNullOrWhiteSpace(filter.User))
        {
            var user = filter.User.Trim();
            alerts = alerts.Where(a => a.Actor == user || a.Actor.EndsWith("=" + user)
                || db.AlertEvents.Any(x => x.AlertId == a.Id && db.Events.Any(e => e.Id == x.StoredEventId && (e.ActorId == user || e.ActorAlternateId == user))));
        }
        if (!string.IsNullOrWhiteSpace(filter.Ip))
        {
            var ip = filter.Ip.Trim();
            alerts = alerts.Where(a => db.AlertEvents.Any(x => x.AlertId == a.Id && db.Events.Any(e => e.Id == x.StoredEventId && e.ClientIp == ip)));
        }
        return alerts;
    }

    public static IQueryable<AlertSummary> Project(IdentiGuardDbContext db, IQueryable<Alert> alerts) =>
        from a in alerts
        join t in db.Tenants on a.TenantId equals t.Id into tenants
        from t in tenants.DefaultIfEmpty()
        join u in db.Users on a.AssigneeId equals u.Id into users
        from u in users.DefaultIfEmpty()
        select new AlertSummary(a.Id, a.TenantId, t == null ? "(deleted tenant)" : t.Name, a.Kind, a.RuleId, a.Title, a.Severity, a.EventType,
            a.Actor, a.Count, a.FirstSeen, a.LastSeen, a.CreatedAt, a.IsHistorical, a.Status, a.StatusReason, a.AssigneeId, u == null ? null : u.Email,
            a.IsSuppressed, a.SuppressedCount);

    public async Task<AlertDetail?> GetAsync(Guid alertId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var summary = await Project(db, db.Alerts.AsNoTracking().Where(a => a.Id == alertId)).FirstOrDefaultAsync(ct);
        if (summary is null) return null;
        var extra = await db.Alerts.AsNoTracking().Where(a => a.Id == alertId).Select(a => new { a.Explanation, a.References }).FirstAsync(ct);
        var events = await EvidenceAsync(db, [alertId], ct);
        var references = string.IsNullOrEmpty(extra.References) ? [] : System.Text.Json.JsonSerializer.Deserialize<List<string>>(extra.References) ?? [];
        return new AlertDetail(summary, extra.Explanation, references, events.GetValueOrDefault(alertId, []));
    }

    /// <summary>The stored evidence of the given alerts, oldest first.</summary>
    public static async Task<Dictionary<Guid, List<AlertEvidence>>> EvidenceAsync(IdentiGuardDbContext db, IReadOnlyCollection<Guid> alertIds, CancellationToken ct)
    {
        var rows = await db.AlertEvents.Where(x => alertIds.Contains(x.AlertId))
            .Join(db.Events, x => x.StoredEventId, e => e.Id, (x, e) => new { x.AlertId, e.Uuid, e.EventType, e.Published, e.Json })
            .OrderBy(e => e.Published)
            .ToListAsync(ct);
        return rows.GroupBy(r => r.AlertId).ToDictionary(g => g.Key, g => g.Select(r => new AlertEvidence(r.Uuid, r.EventType, r.Published, r.Json)).ToList());
    }
}
