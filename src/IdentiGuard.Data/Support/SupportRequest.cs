using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Support;

public sealed class SupportRequest : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>The reference number given to the requester, e.g. <c>IG-20261129-7K3Q</c>.</summary>
    public required string Reference { get; set; }
    public required string WorkspaceName { get; set; }
    public required string Subject { get; set; }
    public required string Description { get; set; }
    public string? OktaRequestIds { get; set; }
    public required string ContactEmail { get; set; }
    public Guid? TenantId { get; set; }
    /// <summary>Diagnostic summary with every secret redacted, when the requester chose to attach it.</summary>
    public string? Diagnostics { get; set; }
    public Guid CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Not configured, Sent, or the failure reason.</summary>
    public required string DeliveryStatus { get; set; }
}
