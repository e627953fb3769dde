using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Retention;

/// <summary>Section <c>IdentiGuard:Retention</c>: the job that deletes raw events past each workspace's retention.</summary>
public sealed class RetentionOptions
{
    public const string Section = "IdentiGuard:Retention";

    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Events deleted per statement, so one run does not hold a long write lock.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;
}
