using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Ingestion;

public enum EventSource
{
    Hook = 0,
    Poll = 1,
    Backfill = 2,
    Preview = 3,
}

/// <summary>A raw Okta LogEvent as received, unique per tenant by <see cref="Uuid"/> and <see cref="Published"/>.</summary>
public sealed class StoredEvent : IWorkspaceOwned
{
    /// <summary>Monotonic insertion order; the tenant grain's processing cursor.</summary>
    public long Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid TenantId { get; set; }
    public required string Uuid { get; set; }
    public required string EventType { get; set; }
    public DateTime Published { get; set; }
    public DateTime ReceivedAt { get; set; }
    public EventSource Source { get; set; }
    public string? ActorId { get; set; }
    public string? ActorAlternateId { get; set; }
    public string? ClientIp { get; set; }
    public string? OutcomeResult { get; set; }
    public required string Json { get; set; }
}
