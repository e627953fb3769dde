using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Response;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Detection;
using IdentiGuard.Server.Okta;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Response;

/// <summary>The workspace's response policy: two-person approval, and automatic responses per rule (off by default).</summary>
public sealed class ResponseSettingsService(IDbContextFactory<IdentiGuardDbContext> dbFactory, ActivityLog activity, TimeProvider time, RuleCatalog rules,
    EventTypeCatalog eventTypes)
{
    public async Task<ResponseSettingsView> GetAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ResponseSettings.AsNoTracking().FirstOrDefaultAsync(ct) is { } s
            ? new ResponseSettingsView(s.RequireApproval, s.UpdatedAt, s.UpdatedBy)
            : new ResponseSettingsView(false, null, null);
    }

    public async Task<ResponseSettingsView> SetAsync(Guid workspaceId, ResponseSettingsInput input, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await db.ResponseSettings.FirstOrDefaultAsync(ct);
        if (settings is null) db.ResponseSettings.Add(settings = new ResponseSettings { WorkspaceId = workspaceId });
        settings.RequireApproval = input.RequireApproval;
        settings.UpdatedAt = time.GetUtcNow().UtcDateTime;
        settings.UpdatedBy = actor;
        db.Activity.Add(activity.Entry(workspaceId, null, "response.settings", ActivityOutcome.Success,
            input.RequireApproval ? "Two-person approval for response actions turned on." : "Two-person approval for response actions turned off.",
            actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return new ResponseSettingsView(settings.RequireApproval, settings.UpdatedAt, settings.UpdatedBy);
    }

    public async Task<IReadOnlyList<AutomaticResponseView>> ListAutomaticAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.AutomaticResponses.AsNoTracking().OrderBy(r => r.RuleId).ToListAsync(ct))
            .Select(r => new AutomaticResponseView(r.RuleId, r.Kind, ResponseCatalog.Label(r.Kind), r.UpdatedAt, r.UpdatedBy)).ToList();
    }

    public async Task<AutomaticResponseOutcome> SetAutomaticAsync(Guid workspaceId, string ruleId, AutomaticResponseInput input, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        ruleId = ruleId.Trim();
        if (ruleId.Length is 0 or > 200) return new AutomaticResponseOutcome(Errors: new Dictionary<string, string[]> { ["ruleId"] = ["Give the rule id."] });
        // Only what raises alerts in this workspace can get an automatic response: a monitored Okta event type (the rule id
        // of its alerts) or a rule of the workspace's pack (built-in, or one of its own custom rules, never another's).
        if (!eventTypes.IsMonitorable(ruleId) && await rules.GetAsync(workspaceId, ruleId, ct) is null) return new AutomaticResponseOutcome(RuleNotFound: true);
        if (!Enum.IsDefined(input.Action)) return new AutomaticResponseOutcome(Errors: new Dictionary<string, string[]> { ["action"] = ["Unknown action."] });
        var rule = await db.AutomaticResponses.FirstOrDefaultAsync(r => r.RuleId == ruleId, ct);
        if (rule is null) db.AutomaticResponses.Add(rule = new AutomaticResponse { WorkspaceId = workspaceId, RuleId = ruleId });
        rule.Kind = input.Action;
        rule.UpdatedAt = time.GetUtcNow().UtcDateTime;
        rule.UpdatedBy = actor;
        db.Activity.Add(activity.Entry(workspaceId, null, "response.automatic.set", ActivityOutcome.Success,
            $"Automatic response for rule {ruleId}: {ResponseCatalog.Label(input.Action)} on the alert's actor.", actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return new AutomaticResponseOutcome();
    }

    public async Task<bool> RemoveAutomaticAsync(Guid workspaceId, string ruleId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rule = await db.AutomaticResponses.FirstOrDefaultAsync(r => r.RuleId == ruleId, ct);
        if (rule is null) return false;
        db.AutomaticResponses.Remove(rule);
        db.Activity.Add(activity.Entry(workspaceId, null, "response.automatic.removed", ActivityOutcome.Success,
            $"Automatic response for rule {ruleId} turned off.", actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return true;
    }
}

/// <summary>Setting an automatic response: saved, the rule is not one of the workspace's, or the input is invalid.</summary>
public sealed record AutomaticResponseOutcome(bool RuleNotFound = false, IReadOnlyDictionary<string, string[]>? Errors = null);
