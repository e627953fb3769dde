using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Retention;

public sealed record WorkspaceSettings(int EventRetentionDays);

/// <summary>Workspace settings: how long raw events are kept.</summary>
public sealed class WorkspaceSettingsService(IDbContextFactory<IdentiGuardDbContext> dbFactory, IdentiGuard.Server.Activity.ActivityLog activity)
{
    public async Task<WorkspaceSettings?> GetAsync(Guid workspaceId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Workspaces.AsNoTracking().Where(w => w.Id == workspaceId).Select(w => new WorkspaceSettings(w.EventRetentionDays)).FirstOrDefaultAsync(ct);
    }

    /// <summary>Null when the workspace does not exist; throws nothing for invalid input (see <see cref="Validate"/>).</summary>
    public async Task<WorkspaceSettings?> SetRetentionAsync(Guid workspaceId, int days, string actor, string? actorIp, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var workspace = await db.Workspaces.FirstOrDefaultAsync(w => w.Id == workspaceId, ct);
        if (workspace is null) return null;
        var before = workspace.EventRetentionDays;
        workspace.EventRetentionDays = days;
        db.Activity.Add(activity.Entry(workspaceId, null, "workspace.settings.updated", IdentiGuard.Data.Activity.ActivityOutcome.Success,
            $"Raw event retention changed from {before} to {days} days.", actor, actorIp, null, null,
            before: System.Text.Json.JsonSerializer.Serialize(new { eventRetentionDays = before }),
            after: System.Text.Json.JsonSerializer.Serialize(new { eventRetentionDays = days })));
        await db.SaveChangesAsync(ct);
        return new WorkspaceSettings(workspace.EventRetentionDays);
    }

    public static string? Validate(int days) => days is < EventRetentionJob.MinDays or > EventRetentionJob.MaxDays
        ? $"Keep raw events between {EventRetentionJob.MinDays} and {EventRetentionJob.MaxDays} days." : null;
}

public static class RetentionEndpoints
{
    public sealed record SettingsRequest(int? EventRetentionDays);

    public static void MapWorkspaceSettingsEndpoints(this RouteGroupBuilder workspace)
    {
        var settings = workspace.MapGroup("/settings").WithTags("Workspaces");
        settings.MapGet("/", async Task<Results<Ok<WorkspaceSettings>, NotFound>> (Guid workspaceId, WorkspaceSettingsService service, CancellationToken ct) =>
            await service.GetAsync(workspaceId, ct) is { } s ? TypedResults.Ok(s) : TypedResults.NotFound());
        settings.MapPut("/", async Task<Results<Ok<WorkspaceSettings>, ValidationProblem, NotFound>> (Guid workspaceId, SettingsRequest request, WorkspaceSettingsService service, HttpContext http, CancellationToken ct) =>
        {
            if (request.EventRetentionDays is not { } days || WorkspaceSettingsService.Validate(days) is { } error)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["eventRetentionDays"] = [WorkspaceSettingsService.Validate(request.EventRetentionDays ?? 0)!],
                });
            return await service.SetRetentionAsync(workspaceId, days, IdentiGuard.Server.Accounts.ClaimsPrincipalExtensions.DisplayName(http.User), http.Connection.RemoteIpAddress?.ToString(), ct) is { } s ? TypedResults.Ok(s) : TypedResults.NotFound();
        }).RequireWorkspacePermission(WorkspacePermission.ManageSettings);
    }
}
