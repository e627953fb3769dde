namespace IdentiGuard.Data.Polling;

/// <summary>
/// A tenant's System Log polling checkpoint and the lease that makes one poller its only writer. Every write is a
/// conditional update on <see cref="FencingToken"/>, which each acquisition increments, so a poller that lost its
/// lease (a second activation during a cluster change, a long pause) writes nothing.
/// </summary>
public sealed class PollCheckpoint
{
    public Guid TenantId { get; set; }
    /// <summary>The <c>since</c> of the first request, used until Okta has returned a <c>next</c> link.</summary>
    public DateTime StartAt { get; set; }
    /// <summary>The last <c>rel="next"</c> link, persisted after its page's events were durably stored.</summary>
    public string? NextUrl { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public long FencingToken { get; set; }
    public DateTime? LastPolledAt { get; set; }
    public long EventsPolled { get; set; }
    /// <summary>
    /// The publish time of the newest event the poller has read, stored or already delivered by the hook (tenant
    /// health shows the poller's lag from it). Kept here because finding it among the stored events meant walking back
    /// through every hook event: all of a healthy tenant's, every minute.
    /// </summary>
    public DateTime? NewestPolledPublished { get; set; }
    public DateTime UpdatedAt { get; set; }
}
