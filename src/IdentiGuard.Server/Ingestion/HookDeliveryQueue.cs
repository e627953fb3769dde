using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using IdentiGuard.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Ingestion;

/// <summary>A store request waiting for its durable commit; <see cref="Durable"/> completes once it is on disk (or failed).</summary>
public sealed class PendingStore(StoreRequest request)
{
    private readonly TaskCompletionSource<StoreResult> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StoreRequest Request { get; } = request;
    public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();
    public Task<StoreResult> Durable => done.Task;

    /// <summary>Queue accounting: a delivery without events still occupies a slot.</summary>
    internal int Weight => Math.Max(1, Request.Events.Count);

    internal void Succeed(StoreResult result) => done.TrySetResult(result);
    internal void Fail(Exception error) => done.TrySetException(error);
}

/// <summary>
/// The bounded queue between the hook endpoint (which authenticates and parses on request threads) and the single
/// <see cref="HookCommitWriter"/> (which stores many queued deliveries per durable commit). Bounded by events, so memory
/// and the time a delivery waits stay within Okta's 3 s budget; when full, the endpoint answers 503 and Okta retries.
/// </summary>
public sealed class HookDeliveryQueue
{
    private readonly Channel<PendingStore> channel = Channel.CreateUnbounded<PendingStore>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, RefusalCount> refusals = new();
    private readonly int capacity;
    private long queuedEvents;

    public HookDeliveryQueue(IOptions<HookCommitOptions> options, IdentiGuardMetrics metrics)
    {
        capacity = options.Value.MaxQueuedEvents;
        metrics.ObserveQueue(() => Interlocked.Read(ref queuedEvents));
    }

    /// <summary>Events waiting for their commit.</summary>
    public long QueuedEvents => Interlocked.Read(ref queuedEvents);

    internal ChannelReader<PendingStore> Reader => channel.Reader;

    /// <summary>Queues the request; null when the queue is full or closed (shutting down): answer 503.</summary>
    public PendingStore? TryEnqueue(StoreRequest request)
    {
        var pending = new PendingStore(request);
        var after = Interlocked.Add(ref queuedEvents, pending.Weight);
        // An empty queue admits any delivery, so one larger than the capacity is not refused forever.
        if (after > capacity && after - pending.Weight > 0 || !channel.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref queuedEvents, -pending.Weight);
            return null;
        }
        return pending;
    }

    internal void Dequeued(PendingStore pending) => Interlocked.Add(ref queuedEvents, -pending.Weight);

    /// <summary>Refuses further requests; those already queued are still committed.</summary>
    internal void Close() => channel.Writer.TryComplete();

    /// <summary>
    /// Counts a delivery refused because the queue was full. The activity entries for these are written by the writer,
    /// one per tenant and commit, not one per refusal: writing each would add load exactly when there is too much.
    /// </summary>
    public void RecordOverload(Guid workspaceId, Guid tenantId) =>
        Interlocked.Increment(ref refusals.GetOrAdd(tenantId, _ => new RefusalCount(workspaceId)).Count);

    internal IReadOnlyList<(Guid WorkspaceId, Guid TenantId, int Count)> TakeOverloads()
    {
        var taken = new List<(Guid, Guid, int)>();
        foreach (var (tenantId, refusal) in refusals)
        {
            var count = Interlocked.Exchange(ref refusal.Count, 0);
            if (count > 0) taken.Add((refusal.WorkspaceId, tenantId, count));
        }
        return taken;
    }

    private sealed class RefusalCount(Guid workspaceId)
    {
        public readonly Guid WorkspaceId = workspaceId;
        public int Count;
    }
}
