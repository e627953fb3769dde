using System.Collections.Concurrent;
using IdentiGuard.Data;
using IdentiGuard.Server.Configuration;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Ingestion;

/// <summary>
/// Wakes a tenant's grain after its events were stored. Notifications coalesce: while the grain is processing, any
/// number of new deliveries leave one "run again" mark, so a burst of deliveries costs one or two grain calls, not one each.
/// A failed run is retried with a growing pause until one succeeds: the grain's host may have just died, or the
/// database be briefly gone, and a quiet tenant sends no further delivery to try again.
/// </summary>
public sealed partial class IngestionNotifier
{
    private const int Idle = 0, Running = 1, RunAgain = 2;
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1), LongestRetry = TimeSpan.FromSeconds(30);

    private sealed class Signal
    {
        public int State;
    }

    private readonly ConcurrentDictionary<Guid, Signal> signals = new();
    private readonly Func<Guid, Task<int>> processPending;
    private readonly TimeProvider time;
    private readonly CancellationToken stopping;
    private readonly ILogger logger;

    public IngestionNotifier(IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<IngestionNotifier> logger)
        : this(tenantId => grains.GetGrain<ITenantGrain>(tenantId).ProcessPending(), time, lifetime.ApplicationStopping, logger)
    {
    }

    /// <param name="processPending">Processes a tenant's pending events and returns how many (the grain call).</param>
    internal IngestionNotifier(Func<Guid, Task<int>> processPending, TimeProvider time, CancellationToken stopping, ILogger logger)
    {
        this.processPending = processPending;
        this.time = time;
        this.stopping = stopping;
        this.logger = logger;
    }

    public void EventsStored(Guid tenantId)
    {
        var signal = signals.GetOrAdd(tenantId, _ => new Signal());
        while (true)
        {
            switch (Volatile.Read(ref signal.State))
            {
                case Idle when Interlocked.CompareExchange(ref signal.State, Running, Idle) == Idle:
                    _ = RunAsync(tenantId, signal);
                    return;
                case Running when Interlocked.CompareExchange(ref signal.State, RunAgain, Running) == Running:
                case RunAgain:
                    return;
            }
        }
    }

    private async Task RunAsync(Guid tenantId, Signal signal)
    {
        await Task.Yield();
        var retry = FirstRetry;
        while (true)
        {
            bool more;
            try
            {
                more = await processPending(tenantId) >= TenantEventProcessor.MaxEventsPerCall;
                retry = FirstRetry;
            }
            catch (Exception ex)
            {
                ProcessingFailed(logger, ex, tenantId, retry.TotalSeconds);
                if (!await PauseAsync(retry))
                {
                    Volatile.Write(ref signal.State, Idle); // shutting down: the next start-up sweep processes them
                    return;
                }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
                more = true;
            }
            if (!more && Interlocked.CompareExchange(ref signal.State, Idle, Running) == Running) return;
            Volatile.Write(ref signal.State, Running);
        }
    }

    private async Task<bool> PauseAsync(TimeSpan pause)
    {
        try
        {
            await Task.Delay(pause, time, stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Processing the stored events of tenant {TenantId} failed; retrying in {RetrySeconds} s")]
    private static partial void ProcessingFailed(ILogger logger, Exception ex, Guid tenantId, double retrySeconds);
}

/// <summary>At start-up, processes whatever was stored but not yet processed before the last stop.</summary>
internal sealed class PendingEventSweep(IServiceScopeFactory scopes, IngestionNotifier notifier, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await lifetime.WaitForStartAsync(stoppingToken);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var tenantIds = await db.Tenants.IgnoreQueryFilters().Select(t => t.Id).ToListAsync(stoppingToken);
        foreach (var id in tenantIds) notifier.EventsStored(id);
    }
}
