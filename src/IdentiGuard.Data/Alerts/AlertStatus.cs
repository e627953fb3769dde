namespace IdentiGuard.Data.Alerts;

/// <summary>Where an alert is in triage. Resolved and false positive close it and need a reason.</summary>
public enum AlertStatus
{
    New = 0,
    Acknowledged = 1,
    InProgress = 2,
    Resolved = 3,
    FalsePositive = 4,
}

public static class AlertStatusExtensions
{
    public static bool IsClosed(this AlertStatus status) => status is AlertStatus.Resolved or AlertStatus.FalsePositive;
}
