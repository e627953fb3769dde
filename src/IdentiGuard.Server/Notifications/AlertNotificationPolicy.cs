using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Notifications;

namespace IdentiGuard.Server.Notifications;

/// <summary>Which alerts notify at all, and which destinations an alert is routed to.</summary>
public sealed class AlertNotificationPolicy
{
    /// <summary>
    /// The one place that decides whether an alert notifies anyone: null when it should, else the reason it should not
    /// (kept on the dispatch record). A suppressed alert (an analyst's exception matched it) notifies no one and gets
    /// no automatic response.
    /// </summary>
    public Task<string?> SkipReasonAsync(IdentiGuardDbContext db, Alert alert, CancellationToken ct)
    {
        _ = db;
        _ = ct;
        if (alert.IsHistorical) return Task.FromResult<string?>("historical (imported by backfill)");
        if (alert.IsSuppressed) return Task.FromResult<string?>(alert.SuppressionId is { } entry ? $"{AlertDispatch.SuppressedReason} (suppression {entry})" : AlertDispatch.SuppressedReason);
        return Task.FromResult<string?>(null);
    }

    /// <summary>Routing: the destination is on and the alert passes its severity, tenant and rule filters.</summary>
    public static bool Routes(NotificationDestination destination, Alert alert)
        => destination.Enabled
            && alert.Severity >= destination.MinSeverity
            && (destination.TenantIds.Count == 0 || destination.TenantIds.Contains(alert.TenantId))
            && (destination.RuleIds.Count == 0 || destination.RuleIds.Contains(alert.RuleId, StringComparer.OrdinalIgnoreCase));
}
