using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Alerts;

public enum AlertSeverity
{
    Informational = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

public enum AlertKind
{
    /// <summary>A monitored event type was received (grouped by tenant, type and actor).</summary>
    MonitoredEvent = 0,
    /// <summary>A detection rule fired.</summary>
    Detection = 1,
}

public sealed class Alert : IWorkspaceOwned
{
    /// <summary>
    /// Time-ordered (<see cref="Guid.CreateVersion7()"/> where alerts are raised): the evidence and dispatch rows keyed
    /// by it then go to a few recent pages instead of a random page each, which with a hundred busy tenants was a third
    /// of what SQLite's log wrote (docs/benchmarks.md).
    /// </summary>
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid TenantId { get; set; }
    public AlertKind Kind { get; set; }
    /// <summary>The event type for monitored-event alerts, the rule id for detections.</summary>
    public required string RuleId { get; set; }
    public required string Title { get; set; }
    public AlertSeverity Severity { get; set; }
    public required string EventType { get; set; }
    /// <summary>Who acted: alternateId, else display name, else id, else "unknown".</summary>
    public required string Actor { get; set; }
    /// <summary>Uniqueness key within the tenant: grouping window for monitored events, the engine's dedup key for detections.</summary>
    public required string GroupKey { get; set; }
    public int Count { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? Explanation { get; set; }
    /// <summary>JSON array of references (panther:…, sigma:…) for detections.</summary>
    public string? References { get; set; }
    public bool IsHistorical { get; set; }

    public AlertStatus Status { get; set; }
    /// <summary>Why it was closed (required for resolved and false positive); cleared when reopened.</summary>
    public string? StatusReason { get; set; }
    public DateTime? ClosedAt { get; set; }
    /// <summary>The workspace member working on it.</summary>
    public Guid? AssigneeId { get; set; }

    /// <summary>True while every match of this alert was silenced by a suppression entry (hidden by default, still listed under "Suppressed").</summary>
    public bool IsSuppressed { get; set; }
    /// <summary>How many matches (events or findings) a suppression entry silenced: suppressed matches are counted, not dropped.</summary>
    public int SuppressedCount { get; set; }
    /// <summary>The suppression entry that silenced the latest suppressed match.</summary>
    public Guid? SuppressionId { get; set; }
    public List<AlertEvent> Events { get; set; } = [];
}
