using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Activity;

public enum ActivityOutcome
{
    Success = 0,
    Failure = 1,
    Info = 2,
}

/// <summary>Append-only record of what IdentiGuard did and saw in a workspace.</summary>
public sealed class ActivityEntry : IWorkspaceOwned
{
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid? TenantId { get; set; }
    public DateTime At { get; set; }
    /// <summary>Dotted action name, e.g. <c>okta.token</c>, <c>hook.delivery.rejected</c>.</summary>
    public required string Action { get; set; }
    public ActivityOutcome Outcome { get; set; }
    public required string Message { get; set; }
    public string? OktaRequestId { get; set; }
    public string? OktaErrorCode { get; set; }
    public string? Actor { get; set; }
    public string? ActorIp { get; set; }
    /// <summary>What an administrative action changed, as JSON: the values before and after (secrets never included).</summary>
    public string? Before { get; set; }
    public string? After { get; set; }
}
