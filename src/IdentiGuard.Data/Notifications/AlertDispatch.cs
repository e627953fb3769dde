namespace IdentiGuard.Data.Notifications;

/// <summary>
/// The outbox checkpoint: an alert with a row here has been routed (its deliveries and automatic responses queued).
/// The primary key makes the claim cluster-safe: two hosts cannot both insert it.
/// </summary>
public sealed class AlertDispatch
{
    public Guid AlertId { get; set; }
    public Guid WorkspaceId { get; set; }
    public DateTime DispatchedAt { get; set; }
    public int Deliveries { get; set; }
    /// <summary>Why nothing was sent (historical, suppressed…), when nothing was.</summary>
    public string? SkippedReason { get; set; }
}
