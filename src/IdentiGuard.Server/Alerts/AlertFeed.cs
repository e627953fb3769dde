namespace IdentiGuard.Server.Alerts;

/// <summary>Tells open pages of a workspace that its alerts changed, so they refresh without a reload.</summary>
public sealed class AlertFeed
{
    /// <summary>Alerts of the workspace changed, on this host or (in cluster mode) on another one.</summary>
    public event Action<Guid>? AlertsChanged;

    /// <summary>Alerts changed on this host: the cluster relay forwards these to the other hosts.</summary>
    public event Action<Guid>? ChangedHere;

    public void Publish(Guid workspaceId)
    {
        AlertsChanged?.Invoke(workspaceId);
        ChangedHere?.Invoke(workspaceId);
    }

    /// <summary>A change another host published (not forwarded again).</summary>
    public void DeliverFromCluster(Guid workspaceId) => AlertsChanged?.Invoke(workspaceId);
}
