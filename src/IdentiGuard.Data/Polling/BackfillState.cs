namespace IdentiGuard.Data.Polling;

public enum BackfillStatus
{
    Pending = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
}

/// <summary>Import of a window of System Log history when a tenant is added (a bounded query paged through <c>next</c>).</summary>
public sealed class BackfillState
{
    public Guid TenantId { get; set; }
    public DateTime Since { get; set; }
    public DateTime Until { get; set; }
    public BackfillStatus Status { get; set; }
    /// <summary>The next page to fetch; null before the first page and after the last.</summary>
    public string? NextUrl { get; set; }
    public int Pages { get; set; }
    public long Events { get; set; }
    /// <summary>Published time of the last imported event: progress by time is (Reached − Since) / (Until − Since).</summary>
    public DateTime? Reached { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}
