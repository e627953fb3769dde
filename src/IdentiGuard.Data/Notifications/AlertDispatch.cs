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

    /// <summary>
    /// How the skip reason of a suppressed alert begins: the one definition behind the reason written, the partial
    /// index of such rows and the dispatcher's query that it serves. Such an alert is routed after all once an event no
    /// suppression entry matches joins it; a historical one never is.
    /// </summary>
    public const string SuppressedReason = "suppressed";

    /// <summary>The <c>LIKE</c> pattern of <see cref="SuppressedReason"/>.</summary>
    public const string SuppressedPattern = SuppressedReason + "%";
}
