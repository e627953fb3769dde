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
/// DbContext filters every workspace-owned query by. Used by the API route group, the page gate and every UI page.
/// Membership is read from the database on every entry, so removal or demotion applies to the next request (cookie
/// or API token) at once; an API token is further limited to its own workspace and to the lower of its role and
/// the membership's.
/// </summary>
public sealed class WorkspaceAccess(IDbContextFactory<IdentiGuardDbContext> dbFactory, WorkspaceScope scope)
{
    /// <summary>The user and membership this scope entered (a page's circuit re-checks it on every UI event).</summary>
    public (Guid UserId, WorkspaceMembership Membership)? Entered { get; private set; }

    public async Task<WorkspaceMembership?> EnterAsync(ClaimsPrincipal user, Guid workspaceId, WorkspaceRole minimumRole = WorkspaceRole.Viewer, CancellationToken ct = default)
    {
        if (user.UserId() is not { } userId) return null;
        var membership = await CurrentAsync(user, workspaceId, ct);
        if (membership is null || membership.Role < minimumRole) return null;
        scope.Enter(workspaceId);
        Entered = (userId, membership);
        return membership;
    }

    /// <summary>The caller's effective membership of a workspace right now, without entering it.</summary>
    public async Task<WorkspaceMembership?> CurrentAsync(ClaimsPrincipal user, Guid workspaceId, CancellationToken ct = default)
    {
        if (user.UserId() is not { } userId) return null;
        var token = user.TokenScope();
        if (token is { } t && t.WorkspaceId != workspaceId) return null;
        var membership = await FindAsync(userId, workspaceId, ct);
        return membership is not null && token is { } scoped ? membership with { Role = WorkspacePolicy.Lower(scoped.Role, membership.Role) } : membership;
    }

    public async Task<IReadOnlyList<WorkspaceMembership>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.UserId() is not { } userId) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var all = await db.WorkspaceMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Workspaces, m => m.WorkspaceId, w => w.Id, (m, w) => new { w.Id, w.Name, m.Role, w.IsDemo })
            .OrderBy(w => w.Name)
            .Select(w => new WorkspaceMembership(w.Id, w.Name, w.Role, w.IsDemo))
            .ToListAsync(ct);
        return user.TokenScope() is { } token
            ? all.Where(m => m.WorkspaceId == token.WorkspaceId).Select(m => m with { Role = WorkspacePolicy.Lower(token.Role, m.Role) }).ToList()
            : all;
    }

    /// <summary>
    /// Instance owners manage workspaces. Through an API token only when the token has the Owner role (a narrower
    /// token never carries instance-wide rights).
    /// </summary>
    public async Task<bool> IsInstanceOwnerAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.UserId() is not { } userId) return false;
        if (user.TokenScope() is { Role: < WorkspaceRole.Owner }) return false;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => u.Id == userId && u.IsInstanceOwner, ct);
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
