using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Response;

public enum ResponseKind
{
    Suspend = 0,
    Unsuspend = 1,
    ClearSessions = 2,
    ResetFactors = 3,
    ExpirePassword = 4,
}

public enum ResponseStatus
{
    /// <summary>Waiting for a second member's approval (two-person rule).</summary>
    PendingApproval = 0,
    /// <summary>Automatic response queued by the dispatcher.</summary>
    Queued = 1,
    Running = 2,
    Succeeded = 3,
    Failed = 4,
    Rejected = 5,
}

/// <summary>A response action on an Okta user, with who asked, who approved, and what Okta answered.</summary>
public sealed class ResponseAction : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid TenantId { get; set; }
    public Guid? AlertId { get; set; }
    public ResponseKind Kind { get; set; }
    /// <summary>The Okta user id or login, as given.</summary>
    public required string TargetUser { get; set; }
    public ResponseStatus Status { get; set; }
    public bool Automatic { get; set; }
    public string? Reason { get; set; }
    /// <summary>The action this one reverses (unsuspend after suspend).</summary>
    public Guid? ReversesId { get; set; }

    public Guid? RequestedByUserId { get; set; }
    public required string RequestedBy { get; set; }
    public DateTime RequestedAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTime? DecidedAt { get; set; }

    public DateTime? ExecutedAt { get; set; }
    public int? OktaStatus { get; set; }
    public string? OktaRequestId { get; set; }
    public string? OktaErrorCode { get; set; }
    public string? Result { get; set; }
}
