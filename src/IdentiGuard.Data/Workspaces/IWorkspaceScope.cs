namespace IdentiGuard.Data.Workspaces;

/// <summary>
/// The workspace the current request or job acts in. The context's global query filter reads it on every query of a
/// workspace-owned entity, so a member of one workspace can never read another's rows through the context.
/// <see cref="WorkspaceId"/> is null outside any workspace: then workspace-owned queries return nothing.
/// </summary>
public interface IWorkspaceScope
{
    Guid? WorkspaceId { get; }
}
