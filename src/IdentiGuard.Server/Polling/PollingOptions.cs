using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Polling;

/// <summary>Section <c>IdentiGuard:Polling</c>: System Log polling, its rate-limit headroom and the history import.</summary>
public sealed class PollingOptions : IValidatableObject
{
    public const string Section = "IdentiGuard:Polling";

    /// <summary>Poll each connected tenant's System Log (recovers missed hook deliveries and collects non-hook event types).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Shortest wait between polls (after a page with events); also the poller's timer period.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait: empty pages double the wait from <see cref="MinInterval"/> up to this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Wait after an error (Okta unreachable, 5xx, credentials); the tenant's status shows the cause.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ErrorInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Events per request (Okta allows up to 1000).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 1000;

    /// <summary>Pages one tenant may fetch per timer tick, so a backlog cannot monopolise the silo or the org's bucket.</summary>
    [Range(1, 100)]
    public int MaxPagesPerTick { get; set; } = 5;

    /// <summary>Share of what <c>X-Rate-Limit-Remaining</c> reports that IdentiGuard uses until <c>X-Rate-Limit-Reset</c>.</summary>
    [Range(0.05, 1.0)]
    public double RateLimitShare { get; set; } = 0.5;

    /// <summary>How long a poller's database lease lasts without renewal (renewed at half-life while it runs).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>History imported when a tenant is added; zero turns the import off. At most 90 days (Okta's retention).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan BackfillWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>History pages fetched per tick, after the live poll (live events come first).</summary>
    [Range(1, 100)]
    public int BackfillPagesPerTick { get; set; } = 2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxInterval < MinInterval)
            yield return new ValidationResult("MaxInterval must not be shorter than MinInterval.", [nameof(MaxInterval)]);
        if (LeaseDuration < MinInterval * 3 || LeaseDuration < MaxInterval)
            yield return new ValidationResult("LeaseDuration must be at least three MinIntervals and at least MaxInterval.", [nameof(LeaseDuration)]);
    }
}
