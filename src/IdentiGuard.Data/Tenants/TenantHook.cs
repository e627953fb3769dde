namespace IdentiGuard.Data.Tenants;

/// <summary>One Okta event hook IdentiGuard created for a tenant (Okta allows 300 event types per hook).</summary>
public sealed class TenantHook
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string OktaHookId { get; set; }
    public required string Name { get; set; }
    public int EventTypeCount { get; set; }
    public required string Status { get; set; }
    public required string VerificationStatus { get; set; }
    public DateTime UpdatedAt { get; set; }
}
