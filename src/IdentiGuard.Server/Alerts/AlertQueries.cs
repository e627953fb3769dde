using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Alerts;

public sealed record AlertFilter(Guid? TenantId = null, AlertSeverity? MinSeverity = null, string? EventType = null, string? Search = null, AlertKind? Kind = null, int Skip = 0, int Take = 50);

public sealed record AlertSummary(Guid Id, Guid TenantId, string TenantName, AlertKind Kind, string RuleId, string Title, AlertSeverity Severity, string EventType,
    string Actor, int Count, DateTime FirstSeen, DateTime LastSeen, DateTime CreatedAt, bool IsHistorical);

public sealed record AlertEvidence(string Uuid, string EventType, DateTime Published, string Json);

public sealed record AlertDetail(AlertSummary Alert, string? Explanation, IReadOnlyList<string> References, IReadOnlyList<AlertEvidence> Events);

public sealed record AlertPage(IReadOnlyList<AlertSummary> Items, int Total);

/// <summary>Alert reads for the API and the UI, inside the current workspace (the context's filter applies).</summary>
public sealed class AlertQueries(IDbContextFactory<IdentiGuardDbContext> dbFactory)
{
    public async Task<AlertPage> ListAsync(AlertFilter filter, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alerts = db.Alerts.AsNoTracking();
        if (filter.TenantId is { } tenantId) alerts = alerts.Where(a => a.TenantId == tenantId);
        if (filter.MinSeverity is { } severity) alerts = alerts.Where(a => a.Severity >= severity);
        if (filter.Kind is { } kind) alerts = alerts.Where(a => a.Kind == kind);
        if (!string.IsNullOrWhiteSpace(filter.EventType)) alerts = alerts.Where(a => a.EventType == filter.EventType);
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim();
            alerts = alerts.Where(a => a.Title.Contains(term) || a.Actor.Contains(term) || a.EventType.Contains(term) || a.RuleId.Contains(term));
        }
        var total = await alerts.CountAsync(ct);
        var items = await alerts.OrderByDescending(a => a.LastSeen).ThenByDescending(a => a.CreatedAt)
            .Skip(Math.Max(0, filter.Skip)).Take(Math.Clamp(filter.Take, 1, 500))
            .Join(db.Tenants, a => a.TenantId, t => t.Id, (a, t) => new AlertSummary(a.Id, a.TenantId, t.Name, a.Kind, a.RuleId, a.Title, a.Severity, a.EventType,
                a.Actor, a.Count, a.FirstSeen, a.LastSeen, a.CreatedAt, a.IsHistorical))
            .ToListAsync(ct);
        return new AlertPage(items, total);
    }

    public async Task<AlertDetail?> GetAsync(Guid alertId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alert = await db.Alerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == alertId, ct);
        if (alert is null) return null;
        var tenantName = await db.Tenants.Where(t => t.Id == alert.TenantId).Select(t => t.Name).FirstOrDefaultAsync(ct) ?? "(deleted tenant)";
        var events = await db.AlertEvents.Where(x => x.AlertId == alertId)
            .Join(db.Events, x => x.StoredEventId, e => e.Id, (x, e) => e)
            .OrderBy(e => e.Published)
            .Select(e => new AlertEvidence(e.Uuid, e.EventType, e.Published, e.Json))
            .ToListAsync(ct);
        var references = string.IsNullOrEmpty(alert.References) ? [] : System.Text.Json.JsonSerializer.Deserialize<List<string>>(alert.References) ?? [];
        return new AlertDetail(
            new AlertSummary(alert.Id, alert.TenantId, tenantName, alert.Kind, alert.RuleId, alert.Title, alert.Severity, alert.EventType, alert.Actor, alert.Count,
                alert.FirstSeen, alert.LastSeen, alert.CreatedAt, alert.IsHistorical),
            alert.Explanation, references, events);
    }
}
