using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Activity;

public sealed record ActivityItem(long Id, DateTime At, Guid? TenantId, string Action, ActivityOutcome Outcome, string Message, string? OktaRequestId, string? OktaErrorCode, string? Actor,
    string? ActorIp = null, string? Before = null, string? After = null);

public sealed record ActivityQuery(Guid? TenantId = null, string? Search = null, ActivityOutcome? Outcome = null, int Skip = 0, int Take = 100);

/// <summary>
/// The per-workspace, append-only log of what IdentiGuard did and saw. Entries are only ever added; nothing in the
/// product updates or deletes them (only a workspace purge does, with the workspace).
/// </summary>
public sealed class ActivityLog(IDbContextFactory<IdentiGuardDbContext> dbFactory, WriteTurns turns, TimeProvider time)
{
    public async Task WriteAsync(Guid workspaceId, Guid? tenantId, string action, ActivityOutcome outcome, string message,
        string? actor = null, string? actorIp = null, string? oktaRequestId = null, string? oktaErrorCode = null, CancellationToken ct = default,
        string? before = null, string? after = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Activity.Add(Entry(workspaceId, tenantId, action, outcome, message, actor, actorIp, oktaRequestId, oktaErrorCode, before, after));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>One entry per Okta call of the session, each with Okta's request id and any error code and summary.</summary>
    public async Task WriteOktaCallsAsync(Guid workspaceId, Guid tenantId, OktaSession session, string? actor, CancellationToken ct = default)
    {
        if (session.Calls.Count == 0) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var call in session.Calls)
        {
            var failed = call.Status is null or >= 400;
            var what = $"{call.Method} {RedactQuery(call.Path)}";
            var message = call.Status is null
                ? $"{what} failed: Okta could not be reached ({call.ErrorSummary})."
                : failed ? $"{what} → {call.Status} {call.ErrorCode}: {call.ErrorSummary}" : $"{what} → {call.Status} in {call.Duration.TotalMilliseconds:0} ms";
            db.Activity.Add(Entry(workspaceId, tenantId, "okta.call", failed ? ActivityOutcome.Failure : ActivityOutcome.Success, message, actor, null, call.RequestId, call.ErrorCode));
        }
        // Every poll writes these: they take their turn at SQLite's write lock like the rest of the background writes.
        await turns.WriteAsync(WriteTurns.Writer.Processing, () => db.SaveChangesAsync(ct));
    }

    /// <summary>Reads the current workspace's log (the context's workspace filter applies).</summary>
    public async Task<IReadOnlyList<ActivityItem>> QueryAsync(ActivityQuery query, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var items = db.Activity.AsNoTracking();
        if (query.TenantId is { } tenantId) items = items.Where(a => a.TenantId == tenantId);
        if (query.Outcome is { } outcome) items = items.Where(a => a.Outcome == outcome);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim();
            items = items.Where(a => a.Message.Contains(term) || a.Action.Contains(term) || (a.OktaRequestId != null && a.OktaRequestId.Contains(term)));
        }
        return await items.OrderByDescending(a => a.Id).Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, 500))
            .Select(a => new ActivityItem(a.Id, a.At, a.TenantId, a.Action, a.Outcome, a.Message, a.OktaRequestId, a.OktaErrorCode, a.Actor, a.ActorIp, a.Before, a.After))
            .ToListAsync(ct);
    }

    /// <summary>An entry to save with other changes in one commit (see <see cref="Ingestion.EventStore"/>).</summary>
    /// <param name="before">JSON of the values an administrative action changed, before it (never secrets).</param>
    /// <param name="after">JSON of those values after it.</param>
    public ActivityEntry Entry(Guid workspaceId, Guid? tenantId, string action, ActivityOutcome outcome, string message, string? actor, string? actorIp, string? requestId, string? errorCode,
        string? before = null, string? after = null) => new()
    {
        WorkspaceId = workspaceId, TenantId = tenantId, At = time.GetUtcNow().UtcDateTime, Action = action, Outcome = outcome,
        Message = message.Length > 2000 ? message[..2000] : message, Actor = actor, ActorIp = actorIp, OktaRequestId = requestId, OktaErrorCode = errorCode,
        Before = Truncate(before), After = Truncate(after),
    };

    private static string? Truncate(string? json) => json is { Length: > 4000 } ? json[..4000] : json;

    /// <summary>System Log cursors are long; the activity log keeps the path readable.</summary>
    private static string RedactQuery(string path) => path.Length > 200 ? path[..200] + "…" : path;
}
