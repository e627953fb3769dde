using IdentiGuard.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Ingestion;

/// <summary>Wakes a tenant's grain after its events were stored.</summary>
public sealed partial class IngestionNotifier(IGrainFactory grains, ILogger<IngestionNotifier> logger)
{
    public void EventsStored(Guid tenantId)
    {
        try
        {
            _ = grains.GetGrain<ITenantGrain>(tenantId).EventsStored();
        }
        catch (Exception ex)
        {
            // Stored events are never lost: the start-up sweep and the next delivery pick them up.
            NotifyFailed(logger, ex, tenantId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not notify the grain of tenant {TenantId}")]
    private static partial void NotifyFailed(ILogger logger, Exception ex, Guid tenantId);
}

/// <summary>At start-up, processes whatever was stored but not yet processed before the last stop.</summary>
internal sealed class PendingEventSweep(IServiceScopeFactory scopes, IngestionNotifier notifier, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grains can be called only once the silo is up, which is after the application has started.
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var tenantIds = await db.Tenants.IgnoreQueryFilters().Select(t => t.Id).ToListAsync(stoppingToken);
        foreach (var id in tenantIds) notifier.EventsStored(id);
    }
}
