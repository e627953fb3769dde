using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Ingestion;

/// <summary>Section <c>IdentiGuard:HookCommit</c>: the group commit of event hook deliveries.</summary>
public sealed class HookCommitOptions
{
    public const string Section = "IdentiGuard:HookCommit";

    /// <summary>
    /// Events of accepted-but-not-yet-durable deliveries the queue holds; past it deliveries get 503 (Okta retries a
    /// 5xx once, and the System Log poller fetches anything a refused delivery carried). About 2 KiB of memory each.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxQueuedEvents { get; set; } = 20_000;

    /// <summary>A commit takes queued deliveries until it holds this many events (a larger delivery commits alone).</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchEvents { get; set; } = 2_000;

    /// <summary>…or this many deliveries, whichever comes first.</summary>
    [Range(1, 100_000)]
    public int MaxBatchDeliveries { get; set; } = 500;
}
