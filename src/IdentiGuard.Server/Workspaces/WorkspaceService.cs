using System.Security.Claims;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Activity;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Workspaces;

public sealed record WorkspaceCreateResult(WorkspaceMembership? Workspace, IReadOnlyDictionary<string, string[]>? Errors, bool Forbidden = false);

/// <summary>Workspace use cases shared by the REST API and the UI. Only instance owners create workspaces.</summary>
public sealed class WorkspaceService(IDbContextFactory<IdentiGuardDbContext> dbFactory, WorkspaceAccess access, ActivityLog activity, TimeProvider time)
{
    /// <summary>Creates a workspace with the calling instance owner as its owner.</summary>
    public async Task<WorkspaceCreateResult> CreateAsync(ClaimsPrincipal user, string? name, string? actorIp, CancellationToken ct = default)
    {
        if (user.UserId() is not { } userId || !await access.IsInstanceOwnerAsync(user, ct))
            return new WorkspaceCreateResult(null, new Dictionary<string, string[]> { ["name"] = ["Only an instance owner can create workspaces."] }, Forbidden: true);
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
            return new WorkspaceCreateResult(null, new Dictionary<string, string[]> { ["name"] = ["Enter a workspace name of 1 to 100 characters."] });
        var now = time.GetUtcNow().UtcDateTime;
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = name, CreatedAt = now };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Workspaces.Add(workspace);
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = userId, Role = WorkspaceRole.Owner, AddedAt = now });
        db.Activity.Add(activity.Entry(workspace.Id, null, "workspace.created", ActivityOutcome.Success, $"Workspace {name} created; {user.DisplayName()} is its owner.",
            user.DisplayName(), actorIp, null, null, after: JsonSerializer.Serialize(new { name, owner = user.DisplayName() })));
        await db.SaveChangesAsync(ct);
        return new WorkspaceCreateResult(new WorkspaceMembership(workspace.Id, workspace.Name, WorkspaceRole.Owner, false), null);
    }
}
