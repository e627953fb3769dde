using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Notifications;

namespace IdentiGuard.Server.Notifications;

/// <summary>
/// Create or update a destination. Secrets (<see cref="Url"/>, <see cref="RoutingKey"/>, <see cref="SigningSecret"/>)
/// are write-only: on update, leave them empty to keep the stored ones.
/// </summary>
public sealed record DestinationInput(
    string? Name,
    DestinationKind Kind,
    bool Enabled = true,
    PayloadFormat Format = PayloadFormat.Native,
    string? Url = null,
    string? RoutingKey = null,
    string? SigningSecret = null,
    string? EmailRecipients = null,
    AlertSeverity MinSeverity = AlertSeverity.Medium,
    IReadOnlyList<Guid>? TenantIds = null,
    IReadOnlyList<string>? RuleIds = null);

public sealed record DestinationView(
    Guid Id, string Name, DestinationKind Kind, bool Enabled, PayloadFormat Format, string? TargetHint, bool HasTarget,
    bool HasSigningSecret, string? EmailRecipients, AlertSeverity MinSeverity, IReadOnlyList<Guid> TenantIds,
    IReadOnlyList<string> RuleIds, DateTime CreatedAt, DateTime UpdatedAt, string? UpdatedBy)
{
    public static DestinationView From(NotificationDestination d) => new(
        d.Id, d.Name, d.Kind, d.Enabled, d.Format, d.TargetHint, d.TargetProtected is not null, d.SigningSecretProtected is not null,
        d.EmailRecipients, d.MinSeverity, d.TenantIds, d.RuleIds, d.CreatedAt, d.UpdatedAt, d.UpdatedBy);
}

/// <summary>The create answer: the generated signing secret appears here once and never again.</summary>
public sealed record DestinationCreated(DestinationView Destination, string? GeneratedSigningSecret);

public sealed record DeliveryView(
    long Id, Guid DestinationId, Guid? AlertId, bool IsTest, DeliveryStatus Status, int Attempts, DateTime CreatedAt,
    DateTime? LastAttemptAt, DateTime NextAttemptAt, DateTime? DeliveredAt, int? LastHttpStatus, string? LastError);

public sealed record DestinationResult(DestinationCreated? Created = null, DestinationView? Updated = null,
    IReadOnlyDictionary<string, string[]>? Errors = null, bool NotFound = false);
