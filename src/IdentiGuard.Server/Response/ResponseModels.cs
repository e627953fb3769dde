using IdentiGuard.Data.Response;

namespace IdentiGuard.Server.Response;

/// <summary>
/// A response action. From an alert, <see cref="TenantId"/> and <see cref="User"/> default to the alert's tenant and
/// actor; otherwise both are required. <see cref="User"/> is an Okta user id or login.
/// </summary>
public sealed record ResponseRequest(ResponseKind Action, string? User = null, Guid? TenantId = null, Guid? AlertId = null, string? Reason = null);

public sealed record ResponseActionView(
    Guid Id, Guid TenantId, string? TenantName, Guid? AlertId, ResponseKind Action, string Label, string TargetUser, ResponseStatus Status,
    bool Automatic, string? Reason, Guid? ReversesId, string RequestedBy, DateTime RequestedAt, string? DecidedBy, DateTime? DecidedAt,
    DateTime? ExecutedAt, int? OktaStatus, string? OktaRequestId, string? OktaErrorCode, string? Result, string OktaRequest, bool CanReverse);

public sealed record ResponseSettingsView(bool RequireApproval, DateTime? UpdatedAt, string? UpdatedBy);

public sealed record ResponseSettingsInput(bool RequireApproval);

public sealed record AutomaticResponseView(string RuleId, ResponseKind Action, string Label, DateTime UpdatedAt, string? UpdatedBy);

public sealed record AutomaticResponseInput(ResponseKind Action);

/// <summary>A use-case result: the action, or why nothing was done.</summary>
public sealed record ResponseOutcome(ResponseActionView? Action = null, IReadOnlyDictionary<string, string[]>? Errors = null,
    string? Conflict = null, bool NotFound = false);
