namespace IdentiGuard.Data.Workspaces;

/// <summary>
/// An invitation to join a workspace, sent as an e-mail link. Only a SHA-256 hash of the link's token is stored; the
/// link is single-use (accepted, revoked or expired ends it).
/// </summary>
public sealed class WorkspaceInvitation : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>Normalised (trimmed, lower-case) address the invitation was sent to; only that account may accept it.</summary>
    public required string Email { get; set; }
    public WorkspaceRole Role { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string InvitedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? AcceptedAt { get; set; }
    public Guid? AcceptedByUserId { get; set; }
    public DateTime? RevokedAt { get; set; }
}
