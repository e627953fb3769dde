using System.Diagnostics;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Telemetry;

namespace IdentiGuard.Server.Ingestion;

/// <summary>
/// Commits one batch of queued deliveries in one transaction (one fsync), then completes each delivery's task so its
/// request can be acknowledged. When the shared commit fails, every delivery of the batch is retried in a commit of its
/// own, so one bad delivery fails alone and is never acknowledged, and the others are not lost.
/// </summary>
public sealed partial class HookBatchCommitter(IServiceScopeFactory scopes, HookDeliveryQueue queue, IngestionNotifier notifier,
    IdentiGuardMetrics metrics, ILogger<HookBatchCommitter> logger)
{
    public async Task CommitAsync(IReadOnlyList<PendingStore> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<EventStore>();
        var all = batch.Concat(OverloadEntries(scope.ServiceProvider.GetRequiredService<ActivityLog>())).ToList();
        using var span = IdentiGuardMetrics.Tracing.StartActivity("hook.commit");
        span?.SetTag("identiguard.batch.deliveries", batch.Count);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var results = await store.StoreBatchAsync(all.Select(p => p.Request).ToList(), ct);
            metrics.BatchCommitted(batch.Count, batch.Sum(p => p.Request.Events.Count), Stopwatch.GetElapsedTime(started));
            for (var i = 0; i < all.Count; i++) Complete(all[i], results[i]);
        }
        catch (Exception ex) when (all.Count > 1 && !ct.IsCancellationRequested)
        {
            BatchFailed(logger, ex, all.Count);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            foreach (var pending in all) await CommitAloneAsync(store, pending, ct);
        }
        catch (Exception ex)
        {
            DeliveryFailed(logger, ex, all[0].Request.TenantId);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            foreach (var pending in all) pending.Fail(ex);
        }
        foreach (var tenantId in batch.Where(p => p.Durable.IsCompletedSuccessfully).Select(p => p.Request.TenantId).Distinct())
            notifier.EventsStored(tenantId);
    }

    private async Task CommitAloneAsync(EventStore store, PendingStore pending, CancellationToken ct)
    {
        try
        {
            Complete(pending, await store.StoreAsync(pending.Request.WorkspaceId, pending.Request.TenantId, pending.Request.Events, pending.Request.Source, ct, pending.Request.Audit));
        }
        catch (Exception ex)
        {
            DeliveryFailed(logger, ex, pending.Request.TenantId);
            pending.Fail(ex);
        }
    }

    private void Complete(PendingStore pending, StoreResult result)
    {
        metrics.DeliveryDurable(Stopwatch.GetElapsedTime(pending.EnqueuedAt));
        pending.Succeed(result);
    }

    /// <summary>The activity entries for deliveries refused since the last commit because the queue was full.</summary>
    private IEnumerable<PendingStore> OverloadEntries(ActivityLog activity) => queue.TakeOverloads().Select(o => new PendingStore(new StoreRequest(o.WorkspaceId, o.TenantId, [], EventSource.Hook,
        _ => activity.Entry(o.WorkspaceId, o.TenantId, "hook.delivery.rejected", ActivityOutcome.Failure,
            $"Refused {o.Count} event hook deliver{(o.Count == 1 ? "y" : "ies")} (503): IdentiGuard's commit queue was full. Okta retries a 5xx once, and the System Log poller fetches the events.",
            "Okta", null, null, null))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} hook deliveries failed; committing each on its own")]
    private static partial void BatchFailed(ILogger logger, Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing an event hook delivery for tenant {TenantId} failed; it is answered 503 so Okta retries")]
    private static partial void DeliveryFailed(ILogger logger, Exception ex, Guid tenantId);
}
