using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Response;

/// <summary>A workspace's response policy. No row means the defaults (no approval needed).</summary>
public sealed class ResponseSettings : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    /// <summary>Two-person rule: a response action runs only after a different member approves it.</summary>
    public bool RequireApproval { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>Automatic response for one rule: when the rule raises a new alert, the action runs on the alert's actor. Off unless a row exists.</summary>
public sealed class AutomaticResponse : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public required string RuleId { get; set; }
    public ResponseKind Kind { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
