namespace IdentiGuard.Data.Workspaces;

public sealed class Workspace
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool IsDemo { get; set; }

    /// <summary>Raw events older than this many days (by published time) are deleted unless an alert keeps them as evidence.</summary>
    public int EventRetentionDays { get; set; } = 90;

    /// <summary>Members must have signed in with a second factor (local TOTP or the identity provider's MFA) to open the workspace.</summary>
    public bool RequireMfa { get; set; }
}
