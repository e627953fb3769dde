using System.Collections.Concurrent;
using IdentiGuard.Data;
using IdentiGuard.Server.Configuration;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Ingestion;

/// <summary>
/// Wakes a tenant's grain after its events were stored. Notifications coalesce: while the grain is processing, any
/// number of new deliveries leave one "run again" mark, so a burst of deliveries costs one or two grain calls, not one each.
/// </summary>
public sealed partial class IngestionNotifier(IGrainFactory grains, ILogger<IngestionNotifier> logger)
{
    private const int Idle = 0, Running = 1, RunAgain = 2;

    private sealed class Signal
    {
        public int State;
    }

    private readonly ConcurrentDictionary<Guid, Signal> signals = new();

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
        while (true)
        {
            var more = false;
            try
            {
                more = await grains.GetGrain<ITenantGrain>(tenantId).ProcessPending() >= TenantEventProcessor.MaxEventsPerCall;
            }
            catch (Exception ex)
            {
                // Stored events are never lost: the next delivery or the start-up sweep processes them.
                ProcessingFailed(logger, ex, tenantId);
            }
            if (!more && Interlocked.CompareExchange(ref signal.State, Idle, Running) == Running) return;
            Volatile.Write(ref signal.State, Running);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Processing the stored events of tenant {TenantId} failed; they will be retried")]
    private static partial void ProcessingFailed(ILogger logger, Exception ex, Guid tenantId);
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
