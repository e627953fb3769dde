using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Workspaces;

public sealed record WorkspaceCreateResult(WorkspaceMembership? Workspace, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>Workspace use cases shared by the REST API and the UI.</summary>
public sealed class WorkspaceService(IDbContextFactory<IdentiGuardDbContext> dbFactory, TimeProvider time)
{
    /// <summary>Creates a workspace with <paramref name="userId"/> as its owner.</summary>
    public async Task<WorkspaceCreateResult> CreateAsync(Guid userId, string? name, CancellationToken ct = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
            return new WorkspaceCreateResult(null, new Dictionary<string, string[]> { ["name"] = ["Enter a workspace name of 1 to 100 characters."] });
        var now = time.GetUtcNow().UtcDateTime;
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = name, CreatedAt = now };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Workspaces.Add(workspace);
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = userId, Role = WorkspaceRole.Owner, AddedAt = now });
        await db.SaveChangesAsync(ct);
        return new WorkspaceCreateResult(new WorkspaceMembership(workspace.Id, workspace.Name, WorkspaceRole.Owner, false), null);
    }
}
