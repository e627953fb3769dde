using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Triage;

/// <summary>
/// Append-only record of who did what to an alert and when. <see cref="Action"/> is a dotted name owned by the feature
/// that writes it (<c>status</c>, <c>assignee</c>, <c>comment</c>, <c>suppressed</c>, <c>response.suspend</c>…), so other
/// features add entries of their own kind without a schema change. Nothing updates or deletes entries.
/// </summary>
public sealed class AlertHistoryEntry : IWorkspaceOwned
{
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid AlertId { get; set; }
    public DateTime At { get; set; }
    /// <summary>Who acted: a member's e-mail, or <c>IdentiGuard</c> for the product itself.</summary>
    public required string Actor { get; set; }
    public Guid? ActorUserId { get; set; }
    public required string Action { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? Comment { get; set; }
    /// <summary>Okta's <c>X-Okta-Request-Id</c> when the action called Okta.</summary>
    public string? OktaRequestId { get; set; }
}
