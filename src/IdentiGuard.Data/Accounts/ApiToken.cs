using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Accounts;

/// <summary>
/// A personal API token, scoped to one workspace and a role. Its effective role is the lower of <see cref="Role"/> and
/// the user's current membership, checked on every request. Only a SHA-256 hash of the secret part is stored.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    public Guid WorkspaceId { get; set; }
    public WorkspaceRole Role { get; set; }
    /// <summary>The non-secret prefix shown in lists (e.g. <c>igt_ab12cd34</c>).</summary>
    public required string Prefix { get; set; }
    public required byte[] SecretHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
