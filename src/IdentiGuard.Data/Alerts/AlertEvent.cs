namespace IdentiGuard.Data.Alerts;

/// <summary>Evidence: a stored event that contributed to an alert (capped per alert; the count keeps the total).</summary>
public sealed class AlertEvent
{
    public Guid AlertId { get; set; }
    public long StoredEventId { get; set; }
}
