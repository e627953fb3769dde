using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Server.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Triage;

/// <summary>Who triages: a signed-in member.</summary>
public sealed record TriageActor(Guid UserId, string Name);

/// <summary>One triage change for one or many alerts; every part is optional, at least one is required.</summary>
public sealed record TriageChange(IReadOnlyList<Guid> AlertIds, AlertStatus? Status = null, string? Reason = null, Guid? AssigneeId = null, bool Unassign = false,
    string? Comment = null);

public sealed record TriageResult(int Changed, IDictionary<string, string[]>? Errors = null, bool NotFound = false);

/// <summary>
/// Status, assignee and comments of alerts, applied all-or-nothing with one history entry per alert and change, then
/// announced to open pages.
/// </summary>
public sealed class AlertTriage(IDbContextFactory<IdentiGuardDbContext> dbFactory, AlertFeed feed, TimeProvider time)
{
    public const int MaxBulk = 500;
    public const int MaxCommentLength = 4000;
    public const int MaxReasonLength = 1000;

    /// <param name="requestErrors">Errors the endpoint found in the request body; reported only once the alerts are known to exist.</param>
    public async Task<TriageResult> ApplyAsync(TriageChange change, TriageActor actor, CancellationToken ct = default,
        IReadOnlyDictionary<string, string[]>? requestErrors = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = change.AlertIds.Distinct().ToList();
        // The alerts are looked up (through the workspace filter) before the body is judged: another workspace's alert
        // is a 404 whatever the body says, so a validation error never confirms that an id exists.
        var alerts = ids.Count <= MaxBulk ? await db.Alerts.Where(a => ids.Contains(a.Id)).ToListAsync(ct) : [];
        if (ids.Count <= MaxBulk && alerts.Count != ids.Count) return new TriageResult(0, NotFound: true);

        var errors = Validate(change);
        foreach (var (field, messages) in requestErrors ?? new Dictionary<string, string[]>()) errors[field] = messages;
        if (errors.Count > 0) return new TriageResult(0, errors);

        string? assigneeName = null;
        if (change.AssigneeId is { } assigneeId)
        {
            // The workspace filter limits members to the current workspace: only its members can be assigned.
            assigneeName = await db.WorkspaceMembers.Where(m => m.UserId == assigneeId)
                .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u.Email).FirstOrDefaultAsync(ct);
            if (assigneeName is null)
                return new TriageResult(0, new Dictionary<string, string[]> { ["assigneeId"] = ["The assignee must be a member of this workspace."] });
        }
        var previousAssignees = await AssigneeNamesAsync(db, alerts.Select(a => a.AssigneeId).OfType<Guid>().Distinct().ToList(), ct);

        var now = time.GetUtcNow().UtcDateTime;
        var changed = 0;
        foreach (var alert in alerts)
        {
            var touched = false;
            if (change.Status is { } status && status != alert.Status)
            {
                var reason = status.IsClosed() ? change.Reason!.Trim() : null;
                db.AlertHistory.Add(AlertHistory.Entry(alert.WorkspaceId, alert.Id, now, actor.Name, "status", alert.Status.ToString(), status.ToString(),
                    reason ?? NullIfBlank(change.Reason), actor.UserId));
                alert.Status = status;
                alert.StatusReason = reason;
                alert.ClosedAt = status.IsClosed() ? now : null;
                touched = true;
            }
            var newAssignee = change.Unassign ? null : change.AssigneeId ?? alert.AssigneeId;
            if (newAssignee != alert.AssigneeId)
            {
                db.AlertHistory.Add(AlertHistory.Entry(alert.WorkspaceId, alert.Id, now, actor.Name, "assignee",
                    alert.AssigneeId is { } old ? previousAssignees.GetValueOrDefault(old, old.ToString()) : null, newAssignee is null ? null : assigneeName,
                    actorUserId: actor.UserId));
                alert.AssigneeId = newAssignee;
                touched = true;
            }
            if (NullIfBlank(change.Comment) is { } comment)
            {
                db.AlertHistory.Add(AlertHistory.Entry(alert.WorkspaceId, alert.Id, now, actor.Name, "comment", comment: comment, actorUserId: actor.UserId));
                touched = true;
            }
            if (!touched) continue;
            alert.UpdatedAt = now;
            changed++;
        }
        if (changed == 0) return new TriageResult(0);
        await db.SaveChangesAsync(ct);
        feed.Publish(alerts[0].WorkspaceId);
        return new TriageResult(changed);
    }

    /// <summary>Members who can be assigned, by e-mail (current workspace).</summary>
    public async Task<IReadOnlyList<AssigneeOption>> AssigneesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var members = await db.WorkspaceMembers.Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.Email, u.UserName, m.Role }).ToListAsync(ct);
        return members.Select(m => new AssigneeOption(m.Id, m.Email ?? m.UserName ?? m.Id.ToString(), m.Role)).OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static Dictionary<string, string[]> Validate(TriageChange change)
    {
        var errors = new Dictionary<string, string[]>();
        if (change.AlertIds.Count == 0) errors["alertIds"] = ["Select at least one alert."];
        else if (change.AlertIds.Count > MaxBulk) errors["alertIds"] = [$"At most {MaxBulk} alerts can be changed at once."];
        if (change.Status is null && change.AssigneeId is null && !change.Unassign && NullIfBlank(change.Comment) is null)
            errors["change"] = ["Say what to change: a status, an assignee or a comment."];
        if (change.Status is { } status && !Enum.IsDefined(status)) errors["status"] = ["Unknown status."];
        if (change.Status is { } closing && closing.IsClosed() && NullIfBlank(change.Reason) is null)
            errors["reason"] = [$"Closing an alert as {closing} needs a reason."];
        if (change.Reason?.Length > MaxReasonLength) errors["reason"] = [$"The reason is longer than {MaxReasonLength} characters."];
        if (change.Comment?.Length > MaxCommentLength) errors["comment"] = [$"The comment is longer than {MaxCommentLength} characters."];
        if (change.AssigneeId is not null && change.Unassign) errors["assigneeId"] = ["Either assign or unassign, not both."];
        return errors;
    }

    private static async Task<Dictionary<Guid, string>> AssigneeNamesAsync(IdentiGuardDbContext db, List<Guid> ids, CancellationToken ct) =>
        ids.Count == 0 ? [] : await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.Id.ToString(), ct);

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

public sealed record AssigneeOption(Guid UserId, string Name, IdentiGuard.Data.Workspaces.WorkspaceRole Role);
