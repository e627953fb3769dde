using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Alerts;

/// <summary>Section <c>IdentiGuard:Alerts</c>.</summary>
public sealed class AlertOptions
{
    public const string Section = "IdentiGuard:Alerts";

    /// <summary>Events of the same type by the same actor within this window count into one alert.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan GroupingWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many events an alert keeps as evidence; its count keeps the total.</summary>
    [Range(1, 10_000)]
    public int MaxEvidencePerAlert { get; set; } = 50;

    /// <summary>Alerts about the same user or IP whose activity lies within this window of each other form one incident.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IncidentWindow { get; set; } = TimeSpan.FromHours(24);
}
