namespace IdentiGuard.Data.Workspaces;

public enum WorkspaceRole
{
    Viewer = 0,
    Analyst = 1,
    Admin = 2,
    Owner = 3,
}

public sealed class WorkspaceMember : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public Guid UserId { get; set; }
    public WorkspaceRole Role { get; set; }
    public DateTime AddedAt { get; set; }

    /// <summary>Granted by single sign-on from an identity-provider group: updated or removed at each SSO sign-in.</summary>
    public bool ManagedBySso { get; set; }
}
