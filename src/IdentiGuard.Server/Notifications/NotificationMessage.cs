using IdentiGuard.Data.Alerts;

namespace IdentiGuard.Server.Notifications;

/// <summary>What a notification says about an alert, independent of the destination's format.</summary>
public sealed record NotificationMessage(
    Guid AlertId,
    Guid WorkspaceId,
    Guid TenantId,
    string TenantName,
    string TenantDomain,
    AlertKind Kind,
    string RuleId,
    string Title,
    AlertSeverity Severity,
    string EventType,
    string Actor,
    int Count,
    DateTime FirstSeen,
    DateTime LastSeen,
    DateTime CreatedAt,
    string? Explanation,
    string Link,
    bool IsTest)
{
    public string Summary => $"{(IsTest ? "[TEST] " : "")}[{Severity}] {Title} — {Actor} in {TenantName}";

    public static NotificationMessage From(Alert alert, string tenantName, string tenantDomain, string publicBaseUrl) => new(
        alert.Id, alert.WorkspaceId, alert.TenantId, tenantName, tenantDomain, alert.Kind, alert.RuleId, alert.Title, alert.Severity,
        alert.EventType, alert.Actor, alert.Count, alert.FirstSeen, alert.LastSeen, alert.CreatedAt, alert.Explanation,
        AlertLink(publicBaseUrl, alert.WorkspaceId, alert.Id), IsTest: false);

    /// <summary>A made-up alert for "Send test notification", clearly marked as a test in every format.</summary>
    public static NotificationMessage Test(Guid workspaceId, string publicBaseUrl, DateTime now) => new(
        Guid.Empty, workspaceId, Guid.Empty, "Test tenant", "https://example.okta.com", AlertKind.Detection, "identiguard.test",
        "IdentiGuard test notification", AlertSeverity.Informational, "identiguard.test", "test.user@example.com", 1, now, now, now,
        "This is a test notification sent from IdentiGuard's Notifications page. No alert was raised.",
        $"{publicBaseUrl.TrimEnd('/')}/w/{workspaceId:D}/notifications", IsTest: true);

    public static string AlertLink(string publicBaseUrl, Guid workspaceId, Guid alertId)
        => $"{publicBaseUrl.TrimEnd('/')}/w/{workspaceId:D}/alerts/{alertId:D}";
}
