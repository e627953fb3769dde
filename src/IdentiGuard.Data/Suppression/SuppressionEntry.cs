using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Suppression;

/// <summary>
/// An allow-list entry: matches of its scope (every field that is set must match) raise no visible alert until
/// <see cref="ExpiresAt"/>. Silenced matches are still counted, on the alert and here.
/// </summary>
public sealed class SuppressionEntry : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>Detection rule id, or the event type of monitored-event alerts.</summary>
    public string? RuleId { get; set; }
    public Guid? TenantId { get; set; }
    /// <summary>Okta user: actor id or login (alternateId).</summary>
    public string? User { get; set; }
    /// <summary>Okta group: id or name of a <c>UserGroup</c> target of the event.</summary>
    public string? Group { get; set; }
    /// <summary>One IP address or a CIDR range (IPv4 or IPv6).</summary>
    public string? IpCidr { get; set; }
    /// <summary>Country as Okta names it in <c>client.geographicalContext.country</c>.</summary>
    public string? Country { get; set; }
    /// <summary>Autonomous system number from <c>securityContext.asNumber</c>.</summary>
    public long? Asn { get; set; }
    public required string Reason { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    /// <summary>The alert it was created from with "Mark as expected", if any.</summary>
    public Guid? SourceAlertId { get; set; }
    public int MatchCount { get; set; }
    public DateTime? LastMatchedAt { get; set; }
}
