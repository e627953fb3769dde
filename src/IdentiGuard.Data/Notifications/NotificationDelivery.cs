using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Notifications;

public enum DeliveryStatus
{
    Pending = 0,
    Delivered = 1,
    Failed = 2,
}

/// <summary>One alert (or test message) to one destination: the delivery log row and the retry schedule in one.</summary>
public sealed class NotificationDelivery : IWorkspaceOwned
{
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid DestinationId { get; set; }
    /// <summary>Null for a "Send test notification".</summary>
    public Guid? AlertId { get; set; }
    public bool IsTest { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public int? LastHttpStatus { get; set; }
    public string? LastError { get; set; }
    /// <summary>The host sending it right now; another host may take over after <see cref="LeaseExpiresAt"/>.</summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
}
