using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// The scoped workspace context, read by the DbContext's query filter. Only <see cref="Workspaces.WorkspaceAccess"/>
/// (after a membership check) and background jobs (for the tenant they work on) enter a workspace.
/// </summary>
public sealed class WorkspaceScope : IWorkspaceScope
{
    public Guid? WorkspaceId { get; private set; }

    internal void Enter(Guid workspaceId) => WorkspaceId = workspaceId;
}
