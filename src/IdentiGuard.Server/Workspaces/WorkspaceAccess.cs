using System.Security.Claims;
using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Workspaces;

public sealed record WorkspaceMembership(Guid WorkspaceId, string WorkspaceName, WorkspaceRole Role, bool IsDemo);

/// <summary>
/// The gate into a workspace: checks the caller's membership and role, then enters the workspace scope that the
/// DbContext filters every workspace-owned query by. Used by the API route group and by every UI page.
/// </summary>
public sealed class WorkspaceAccess(IDbContextFactory<IdentiGuardDbContext> dbFactory, WorkspaceScope scope)
{
    public async Task<WorkspaceMembership?> EnterAsync(ClaimsPrincipal user, Guid workspaceId, WorkspaceRole minimumRole = WorkspaceRole.Viewer, CancellationToken ct = default)
    {
        if (user.UserId() is not { } userId) return null;
        var membership = await FindAsync(userId, workspaceId, ct);
        if (membership is null || membership.Role < minimumRole) return null;
        scope.Enter(workspaceId);
        return membership;
    }

    public async Task<IReadOnlyList<WorkspaceMembership>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.UserId() is not { } userId) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WorkspaceMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Workspaces, m => m.WorkspaceId, w => w.Id, (m, w) => new { w.Id, w.Name, m.Role, w.IsDemo })
            .OrderBy(w => w.Name)
            .Select(w => new WorkspaceMembership(w.Id, w.Name, w.Role, w.IsDemo))
            .ToListAsync(ct);
    }

    private async Task<WorkspaceMembership?> FindAsync(Guid userId, Guid workspaceId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Membership is what decides access, so this one lookup runs before any workspace is entered.
        return await db.WorkspaceMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId && m.WorkspaceId == workspaceId)
            .Join(db.Workspaces, m => m.WorkspaceId, w => w.Id, (m, w) => new WorkspaceMembership(w.Id, w.Name, m.Role, w.IsDemo))
            .FirstOrDefaultAsync(ct);
    }
}
