using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Notifications;

/// <summary>Section <c>IdentiGuard:Notifications</c>: the alert dispatcher and its delivery retries.</summary>
public sealed class NotificationOptions
{
    public const string Section = "IdentiGuard:Notifications";

    public bool Enabled { get; set; } = true;

    /// <summary>How often the outbox is checked when no new alert woke the dispatcher up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per delivery before it is marked failed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait before the second attempt; it doubles after each failure up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>One attempt's HTTP or SMTP timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A host sending a delivery holds it this long; after a crash another host takes it over.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Alerts older than this that were never routed (the dispatcher was off) are not sent any more.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan MaxAlertAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>PagerDuty Events API v2 endpoint (EU accounts: https://events.eu.pagerduty.com/v2/enqueue).</summary>
    [Required, Url]
    public string PagerDutyEventsUrl { get; set; } = "https://events.pagerduty.com/v2/enqueue";

    /// <summary>Allow <c>http://</c> destination URLs on loopback addresses (tests and local receivers only).</summary>
    public bool AllowInsecureLoopback { get; set; }
}
