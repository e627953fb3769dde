using IdentiGuard.Data;
using IdentiGuard.Data.Triage;
using IdentiGuard.Server.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Triage;

public sealed record AlertHistoryItem(long Id, DateTime At, string Actor, string Action, string? Before, string? After, string? Comment, string? OktaRequestId);

/// <summary>
/// The one writer of alert history, for every feature: triage writes status, assignee and comment entries; response
/// actions, notifications and suppression write their own actions (dotted names such as <c>response.suspend</c>).
/// Entries are only ever appended.
/// </summary>
public sealed class AlertHistory(IDbContextFactory<IdentiGuardDbContext> dbFactory, AlertFeed feed, TimeProvider time)
{
    /// <summary>The actor of what IdentiGuard does by itself.</summary>
    public const string SystemActor = "IdentiGuard";

    /// <summary>
    /// Appends an entry to an alert of the current workspace and tells open pages. Returns false (and writes nothing)
    /// when the alert is not in the workspace.
    /// </summary>
    public async Task<bool> WriteAsync(Guid alertId, string actor, string action, string? before = null, string? after = null, string? comment = null,
        Guid? actorUserId = null, string? oktaRequestId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var workspaceId = await db.Alerts.Where(a => a.Id == alertId).Select(a => (Guid?)a.WorkspaceId).FirstOrDefaultAsync(ct);
        if (workspaceId is null) return false;
        db.AlertHistory.Add(Entry(workspaceId.Value, alertId, time.GetUtcNow().UtcDateTime, actor, action, before, after, comment, actorUserId, oktaRequestId));
        await db.SaveChangesAsync(ct);
        feed.Publish(workspaceId.Value);
        return true;
    }

    /// <summary>An entry to save with other changes in one commit (values clipped to the column sizes).</summary>
    public static AlertHistoryEntry Entry(Guid workspaceId, Guid alertId, DateTime at, string actor, string action, string? before = null, string? after = null,
        string? comment = null, Guid? actorUserId = null, string? oktaRequestId = null) => new()
    {
        WorkspaceId = workspaceId, AlertId = alertId, At = at, Actor = Clip(actor, 300)!, ActorUserId = actorUserId, Action = Clip(action, 100)!,
        Before = Clip(before, 1000), After = Clip(after, 1000), Comment = Clip(comment, 4000), OktaRequestId = Clip(oktaRequestId, 100),
    };

    /// <summary>The alert's history, oldest first (the current workspace's filter applies).</summary>
    public async Task<IReadOnlyList<AlertHistoryItem>> ListAsync(Guid alertId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AlertHistory.AsNoTracking().Where(h => h.AlertId == alertId).OrderBy(h => h.Id)
            .Select(h => new AlertHistoryItem(h.Id, h.At, h.Actor, h.Action, h.Before, h.After, h.Comment, h.OktaRequestId))
            .ToListAsync(ct);
    }

    private static string? Clip(string? s, int max) => s is null || s.Length <= max ? s : s[..max];
}
