using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Notifications;

public enum DestinationKind
{
    Slack = 0,
    Teams = 1,
    Webhook = 2,
    Email = 3,
    PagerDuty = 4,
}

public enum PayloadFormat
{
    /// <summary>The destination's native format (Slack blocks, Teams card, IdentiGuard JSON, PagerDuty event, e-mail text).</summary>
    Native = 0,
    /// <summary>OCSF 1.x Detection Finding (class_uid 2004), for SIEM ingestion through a generic webhook.</summary>
    OcsfDetectionFinding = 1,
}

/// <summary>Where a workspace's alerts are sent, and which alerts (routing).</summary>
public sealed class NotificationDestination : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Name { get; set; }
    public DestinationKind Kind { get; set; }
    public bool Enabled { get; set; } = true;
    public PayloadFormat Format { get; set; }

    /// <summary>Webhook URL (Slack, Teams, generic webhook) or PagerDuty routing key, protected: the URLs embed tokens.</summary>
    public string? TargetProtected { get; set; }
    /// <summary>A non-secret reminder of the target shown in the UI, e.g. <c>hooks.slack.com/…</c> or <c>…a1b2</c>.</summary>
    public string? TargetHint { get; set; }
    /// <summary>Generic webhook: the HMAC-SHA256 signing secret, protected.</summary>
    public string? SigningSecretProtected { get; set; }
    /// <summary>E-mail: comma-separated recipients (not secret).</summary>
    public string? EmailRecipients { get; set; }

    /// <summary>Routing: alerts below this severity are not sent.</summary>
    public AlertSeverity MinSeverity { get; set; } = AlertSeverity.Medium;
    /// <summary>Routing: only these tenants (empty = all).</summary>
    public List<Guid> TenantIds { get; set; } = [];
    /// <summary>Routing: only these rule ids or monitored event types (empty = all).</summary>
    public List<string> RuleIds { get; set; } = [];

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
