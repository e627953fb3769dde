namespace IdentiGuard.Data.Workspaces;

/// <summary>Marks an entity that belongs to one workspace; the context filters every query on it by the current workspace.</summary>
public interface IWorkspaceOwned
{
    Guid WorkspaceId { get; }
}
