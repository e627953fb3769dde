namespace IdentiGuard.Server.Alerts;

/// <summary>Tells open pages of a workspace that its alerts changed, so they refresh without a reload.</summary>
public sealed class AlertFeed
{
    public event Action<Guid>? AlertsChanged;

    public void Publish(Guid workspaceId) => AlertsChanged?.Invoke(workspaceId);
}
