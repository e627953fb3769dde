using Orleans.Concurrency;

namespace IdentiGuard.Server.Ingestion;

/// <summary>One activation per tenant across the cluster: the single place its events are processed, in order.</summary>
public interface ITenantGrain : IGrainWithGuidKey
{
    /// <summary>New events were stored for the tenant; process them. Fire-and-forget so the hook acknowledges at once.</summary>
    [OneWay]
    Task EventsStored();

    /// <summary>Processes everything pending and returns how many events that was (used at start-up and by tests).</summary>
    Task<int> ProcessPending();
}

internal sealed partial class TenantGrain(TenantEventProcessor processor, ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    public async Task EventsStored()
    {
        try
        {
            await processor.ProcessPendingAsync(this.GetPrimaryKey(), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The events stay stored and the cursor unmoved: the next notification or the start-up sweep retries them.
            ProcessingFailed(logger, ex, this.GetPrimaryKey());
        }
    }

    public Task<int> ProcessPending() => processor.ProcessPendingAsync(this.GetPrimaryKey(), CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing stored events of tenant {TenantId} failed; they will be retried")]
    private static partial void ProcessingFailed(ILogger logger, Exception ex, Guid tenantId);
}
