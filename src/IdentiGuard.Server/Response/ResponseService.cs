using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Response;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Tenants;
using IdentiGuard.Server.Triage;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Response;

/// <summary>
/// Response actions on Okta users: request (run at once, or held for a second member's approval), approve, reject,
/// reverse, and the automatic responses the dispatcher queues. Every attempt, its Okta calls and request ids go to the
/// activity log and stay on the action (shown on the alert).
/// </summary>
public sealed partial class ResponseService(
    IDbContextFactory<IdentiGuardDbContext> dbFactory, OktaUsersApi users, TenantSecrets secrets, ActivityLog activity, AlertFeed feed,
    TimeProvider time, ILogger<ResponseService> logger)
{
    public const string AutomaticActor = "IdentiGuard (automatic response)";

    public async Task<ResponseOutcome> RequestAsync(Guid workspaceId, ResponseRequest input, Guid userId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var errors = new Dictionary<string, string[]>();
        if (!Enum.IsDefined(input.Action)) errors["action"] = ["Choose suspend, unsuspend, clearSessions, resetFactors or expirePassword."];
        Alert? alert = null;
        if (input.AlertId is { } alertId)
        {
            alert = await db.Alerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == alertId, ct);
            if (alert is null) return new ResponseOutcome(NotFound: true);
            if (input.TenantId is { } t && t != alert.TenantId) errors["tenantId"] = ["The alert belongs to another tenant."];
        }
        var tenantId = input.TenantId ?? alert?.TenantId;
        var user = (string.IsNullOrWhiteSpace(input.User) ? alert?.Actor : input.User)?.Trim();
        if (tenantId is null) errors["tenantId"] = ["Choose the tenant (Okta org) of the user."];
        if (string.IsNullOrEmpty(user) || user == "unknown" || user.Length > 300 || user.Any(char.IsWhiteSpace))
            errors["user"] = ["Give the Okta user id or login of the user to act on."];
        if (input.Reason is { Length: > 1000 }) errors["reason"] = ["Keep the reason under 1000 characters."];
        if (errors.Count > 0) return new ResponseOutcome(Errors: errors);
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null) return new ResponseOutcome(NotFound: true);

        var settings = await db.ResponseSettings.AsNoTracking().FirstOrDefaultAsync(ct);
        var action = new ResponseAction
        {
            Id = Guid.NewGuid(), WorkspaceId = workspaceId, TenantId = tenant.Id, AlertId = alert?.Id, Kind = input.Action, TargetUser = user!,
            Reason = string.IsNullOrWhiteSpace(input.Reason) ? null : input.Reason.Trim(), RequestedByUserId = userId, RequestedBy = actor,
            RequestedAt = time.GetUtcNow().UtcDateTime,
            Status = settings?.RequireApproval == true ? ResponseStatus.PendingApproval : ResponseStatus.Running,
        };
        return await StartAsync(db, action, tenant, actor, ct);
    }

    /// <summary>Unsuspend after a successful suspend (the only Okta action with a reversal).</summary>
    public async Task<ResponseOutcome> ReverseAsync(Guid actionId, Guid userId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var original = await db.ResponseActions.AsNoTracking().FirstOrDefaultAsync(a => a.Id == actionId, ct);
        if (original is null) return new ResponseOutcome(NotFound: true);
        if (ResponseCatalog.Reversal(original.Kind) is not { } reversal)
            return new ResponseOutcome(Conflict: $"Okta has no reversal for \"{ResponseCatalog.Label(original.Kind)}\".");
        if (original.Status != ResponseStatus.Succeeded)
            return new ResponseOutcome(Conflict: "Only an action that succeeded can be reversed.");
        if (await db.ResponseActions.AnyAsync(a => a.ReversesId == original.Id && a.Status != ResponseStatus.Failed && a.Status != ResponseStatus.Rejected, ct))
            return new ResponseOutcome(Conflict: "This action was already reversed (or a reversal is waiting for approval).");
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == original.TenantId, ct);
        if (tenant is null) return new ResponseOutcome(NotFound: true);
        var settings = await db.ResponseSettings.AsNoTracking().FirstOrDefaultAsync(ct);
        var action = new ResponseAction
        {
            Id = Guid.NewGuid(), WorkspaceId = original.WorkspaceId, TenantId = original.TenantId, AlertId = original.AlertId, Kind = reversal,
            TargetUser = original.TargetUser, ReversesId = original.Id, Reason = $"Reverses {ResponseCatalog.Label(original.Kind).ToLowerInvariant()} of {original.RequestedAt:u}",
            RequestedByUserId = userId, RequestedBy = actor, RequestedAt = time.GetUtcNow().UtcDateTime,
            Status = settings?.RequireApproval == true ? ResponseStatus.PendingApproval : ResponseStatus.Running,
        };
        return await StartAsync(db, action, tenant, actor, ct);
    }

    /// <summary>Two-person rule: a different member approves, and the action runs with both names on it.</summary>
    public async Task<ResponseOutcome> ApproveAsync(Guid actionId, Guid userId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var action = await db.ResponseActions.FirstOrDefaultAsync(a => a.Id == actionId, ct);
        if (action is null) return new ResponseOutcome(NotFound: true);
        if (action.Status != ResponseStatus.PendingApproval) return new ResponseOutcome(Conflict: $"This action is {action.Status}, not waiting for approval.");
        if (action.RequestedByUserId == userId)
            return new ResponseOutcome(Conflict: "The two-person rule is on: a different member of the workspace must approve this action.");
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == action.TenantId, ct);
        if (tenant is null) return new ResponseOutcome(NotFound: true);
        // Claim it with a conditional update, so two approvers clicking at once run it once.
        var now = time.GetUtcNow().UtcDateTime;
        var claimed = await db.ResponseActions.Where(a => a.Id == actionId && a.Status == ResponseStatus.PendingApproval)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ResponseStatus.Running).SetProperty(a => a.DecidedBy, actor).SetProperty(a => a.DecidedAt, now), ct);
        if (claimed == 0) return new ResponseOutcome(Conflict: "Another member decided on this action first.");
        await db.Entry(action).ReloadAsync(ct);
        await activity.WriteAsync(action.WorkspaceId, action.TenantId, "response.approved", ActivityOutcome.Info,
            $"{actor} approved \"{ResponseCatalog.Label(action.Kind)}\" on {action.TargetUser} requested by {action.RequestedBy}.", actor, ct: ct);
        await ExecuteAsync(db, action, tenant, actor, ct);
        return new ResponseOutcome(View(action, tenant.Name));
    }

    public async Task<ResponseOutcome> RejectAsync(Guid actionId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var action = await db.ResponseActions.FirstOrDefaultAsync(a => a.Id == actionId, ct);
        if (action is null) return new ResponseOutcome(NotFound: true);
        var now = time.GetUtcNow().UtcDateTime;
        var claimed = await db.ResponseActions.Where(a => a.Id == actionId && a.Status == ResponseStatus.PendingApproval)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ResponseStatus.Rejected).SetProperty(a => a.DecidedBy, actor).SetProperty(a => a.DecidedAt, now), ct);
        if (claimed == 0) return new ResponseOutcome(Conflict: $"This action is {action.Status}, not waiting for approval.");
        await db.Entry(action).ReloadAsync(ct);
        await activity.WriteAsync(action.WorkspaceId, action.TenantId, "response.rejected", ActivityOutcome.Info,
            $"{actor} rejected \"{ResponseCatalog.Label(action.Kind)}\" on {action.TargetUser} requested by {action.RequestedBy}. Nothing was sent to Okta.", actor, ct: ct);
        feed.Publish(action.WorkspaceId);
        var tenantName = await db.Tenants.Where(t => t.Id == action.TenantId).Select(t => t.Name).FirstOrDefaultAsync(ct);
        return new ResponseOutcome(View(action, tenantName));
    }

    public async Task<IReadOnlyList<ResponseActionView>> ListAsync(Guid? alertId, ResponseStatus? status, int take, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.ResponseActions.AsNoTracking();
        if (alertId is { } id) query = query.Where(a => a.AlertId == id);
        if (status is { } s) query = query.Where(a => a.Status == s);
        var rows = await query.OrderByDescending(a => a.RequestedAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
        var names = await db.Tenants.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var reversed = await ReversedIdsAsync(db, rows.Select(r => r.Id).ToList(), ct);
        return rows.Select(r => View(r, names.GetValueOrDefault(r.TenantId), reversed.Contains(r.Id))).ToList();
    }

    public async Task<ResponseActionView?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.ResponseActions.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (row is null) return null;
        var name = await db.Tenants.Where(t => t.Id == row.TenantId).Select(t => t.Name).FirstOrDefaultAsync(ct);
        return View(row, name, (await ReversedIdsAsync(db, [row.Id], ct)).Contains(row.Id));
    }

    /// <summary>The dispatcher's queued automatic responses; each is claimed with a conditional update (one host runs it).</summary>
    public async Task RunQueuedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var queued = await db.ResponseActions.IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.Status == ResponseStatus.Queued).OrderBy(a => a.RequestedAt).Select(a => a.Id).Take(20).ToListAsync(ct);
        foreach (var id in queued)
        {
            var claimed = await db.ResponseActions.IgnoreQueryFilters().Where(a => a.Id == id && a.Status == ResponseStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ResponseStatus.Running), ct);
            if (claimed == 0) continue;
            var action = await db.ResponseActions.IgnoreQueryFilters().FirstAsync(a => a.Id == id, ct);
            var tenant = await db.Tenants.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(t => t.Id == action.TenantId, ct);
            if (tenant is null)
            {
                Fail(action, null, null, null, "The tenant was deleted.");
                await db.SaveChangesAsync(ct);
                continue;
            }
            await ExecuteAsync(db, action, tenant, AutomaticActor, ct);
        }
    }

    /// <summary>The automatic response an alert of a rule with one configured queues (run by <see cref="RunQueuedAsync"/>).</summary>
    public static ResponseAction Automatic(Alert alert, ResponseKind kind, DateTime now) => new()
    {
        Id = Guid.NewGuid(), WorkspaceId = alert.WorkspaceId, TenantId = alert.TenantId, AlertId = alert.Id, Kind = kind, TargetUser = alert.Actor,
        Automatic = true, Status = ResponseStatus.Queued, RequestedBy = AutomaticActor, RequestedAt = now,
        Reason = $"Automatic response configured for rule {alert.RuleId}",
    };

    private async Task<ResponseOutcome> StartAsync(IdentiGuardDbContext db, ResponseAction action, Tenant tenant, string actor, CancellationToken ct)
    {
        db.ResponseActions.Add(action);
        await db.SaveChangesAsync(ct);
        if (action.Status == ResponseStatus.PendingApproval)
        {
            await activity.WriteAsync(action.WorkspaceId, tenant.Id, "response.requested", ActivityOutcome.Info,
                $"{actor} requested \"{ResponseCatalog.Label(action.Kind)}\" on {action.TargetUser}; it waits for a second member's approval.", actor, ct: ct);
            feed.Publish(action.WorkspaceId);
            return new ResponseOutcome(View(action, tenant.Name));
        }
        await ExecuteAsync(db, action, tenant, actor, ct);
        return new ResponseOutcome(View(action, tenant.Name));
    }

    /// <summary>Calls Okta once and records the outcome on the action and in the activity log.</summary>
    private async Task ExecuteAsync(IdentiGuardDbContext db, ResponseAction action, Tenant tenant, string actor, CancellationToken ct)
    {
        var session = new OktaSession(new OktaCredentials(tenant.Id, tenant.DomainUrl, tenant.ClientId, secrets.Unprotect(tenant.ClientSecretProtected)));
        var executedAt = time.GetUtcNow().UtcDateTime;
        action.ExecutedAt = executedAt;
        try
        {
            var (status, requestId) = await users.ExecuteAsync(session, action.Kind, action.TargetUser, ct);
            action.Status = ResponseStatus.Succeeded;
            action.OktaStatus = status;
            action.OktaRequestId = requestId;
            action.Result = $"Okta {ResponseCatalog.PastTense(action.Kind)} {action.TargetUser} (HTTP {status}).";
        }
        catch (OktaUsersApi.MissingScopeException)
        {
            Fail(action, null, null, "insufficient_scope", MissingScopeMessage(tenant.Name));
        }
        catch (OktaApiException ex) when (ex.MissingScope is not null)
        {
            Fail(action, ex.Status, ex.RequestId, "insufficient_scope", MissingScopeMessage(tenant.Name));
        }
        catch (OktaApiException ex)
        {
            Fail(action, ex.Status, ex.RequestId, ex.ErrorCode, $"Okta refused: {ex.ErrorCode} {ex.Describe()}. Nothing was changed.");
        }
        catch (OktaUnreachableException ex)
        {
            Fail(action, null, null, null, $"Okta could not be reached ({ex.Reason}). Nothing was changed; try again.");
        }
        // On the alert's history too, in the same commit, with Okta's request id for the audit trail.
        if (action.AlertId is { } alertId)
            db.AlertHistory.Add(AlertHistory.Entry(action.WorkspaceId, alertId, executedAt, actor, $"response.{ActionName(action.Kind)}",
                after: action.Status.ToString(), comment: $"{ResponseCatalog.Label(action.Kind)} on {action.TargetUser}: {action.Result}", oktaRequestId: action.OktaRequestId));
        await db.SaveChangesAsync(ct);

        await activity.WriteOktaCallsAsync(action.WorkspaceId, tenant.Id, session, actor, ct);
        var approval = action.DecidedBy is { } approver ? $" (requested by {action.RequestedBy}, approved by {approver})" : "";
        await activity.WriteAsync(action.WorkspaceId, tenant.Id, $"response.{ActionName(action.Kind)}",
            action.Status == ResponseStatus.Succeeded ? ActivityOutcome.Success : ActivityOutcome.Failure,
            $"{ResponseCatalog.Label(action.Kind)} on {action.TargetUser}{approval}: {action.Result}", actor,
            oktaRequestId: action.OktaRequestId, oktaErrorCode: action.OktaErrorCode, ct: ct);
        ActionCompleted(logger, action.Kind, action.Status, action.OktaRequestId);
        feed.Publish(action.WorkspaceId);
    }

    private static void Fail(ResponseAction action, int? status, string? requestId, string? code, string message)
    {
        action.Status = ResponseStatus.Failed;
        action.OktaStatus = status;
        action.OktaRequestId = requestId;
        action.OktaErrorCode = code;
        action.Result = message.Length > 2000 ? message[..2000] : message;
    }

    public static string MissingScopeMessage(string tenantName) =>
        $"The IdentiGuard integration in {tenantName} was not granted the {OktaScopes.UsersManage} scope, so IdentiGuard cannot act on users there. " +
        $"Nothing was changed in Okta. To allow response actions, grant {OktaScopes.UsersManage} to the IdentiGuard API service integration in the Okta Admin Console, then try again.";

    private static string ActionName(ResponseKind kind) => kind switch
    {
        ResponseKind.ClearSessions => "clear_sessions",
        ResponseKind.ResetFactors => "reset_factors",
        ResponseKind.ExpirePassword => "expire_password",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private async Task<HashSet<Guid>> ReversedIdsAsync(IdentiGuardDbContext db, List<Guid> ids, CancellationToken ct)
        => (await db.ResponseActions.AsNoTracking()
            .Where(a => a.ReversesId != null && ids.Contains(a.ReversesId.Value) && a.Status != ResponseStatus.Failed && a.Status != ResponseStatus.Rejected)
            .Select(a => a.ReversesId!.Value).ToListAsync(ct)).ToHashSet();

    private static ResponseActionView View(ResponseAction a, string? tenantName, bool reversed = false)
    {
        var (method, path) = ResponseCatalog.Request(a.Kind, a.TargetUser);
        return new ResponseActionView(a.Id, a.TenantId, tenantName, a.AlertId, a.Kind, ResponseCatalog.Label(a.Kind), a.TargetUser, a.Status,
            a.Automatic, a.Reason, a.ReversesId, a.RequestedBy, a.RequestedAt, a.DecidedBy, a.DecidedAt, a.ExecutedAt, a.OktaStatus,
            a.OktaRequestId, a.OktaErrorCode, a.Result, $"{method} {path}",
            CanReverse: a.Status == ResponseStatus.Succeeded && ResponseCatalog.Reversal(a.Kind) is not null && !reversed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Response action {Kind} finished {Status} (Okta request {RequestId})")]
    private static partial void ActionCompleted(ILogger logger, ResponseKind kind, ResponseStatus status, string? requestId);
}
