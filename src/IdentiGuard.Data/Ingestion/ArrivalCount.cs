namespace IdentiGuard.Data.Ingestion;

/// <summary>
/// How many new events of a tenant arrived by one path in one hour: tenant health's events per hour. The event store
/// adds to it in the same commit as the events, so health reads a day in 24 rows per path instead of counting every
/// event received in the last 24 hours (over a second per busy tenant, every minute).
/// </summary>
public sealed class ArrivalCount
{
    public Guid TenantId { get; set; }
    /// <summary>The start of the hour (UTC) the events arrived in.</summary>
    public DateTime Hour { get; set; }
    public EventSource Source { get; set; }
    public int Count { get; set; }

    /// <summary>The hour bucket of a UTC time: the one definition the store counts into and health reads by.</summary>
    public static DateTime HourOf(DateTime utc) => new(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);
}
