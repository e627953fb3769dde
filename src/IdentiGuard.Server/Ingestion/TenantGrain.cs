using System.Runtime.CompilerServices;
using IdentiGuard.Server.Detection;
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
    /// <summary>Detection state lives with the activation; it is rebuilt from the database after a move or restart.</summary>
    private readonly StrongBox<TenantDetection?> detection = new();

    public async Task EventsStored()
    {
        try
        {
            await ProcessPending();
        }
        catch (Exception ex)
        {
            // The events stay stored and the cursor unmoved: the next notification or the start-up sweep retries them.
            ProcessingFailed(logger, ex, this.GetPrimaryKey());
        }
    }

    public async Task<int> ProcessPending()
    {
        try
        {
            return await processor.ProcessPendingAsync(this.GetPrimaryKey(), detection, CancellationToken.None);
        }
        catch
        {
            // State may have advanced past what was saved: rebuild it from the database next time.
            detection.Value = null;
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing stored events of tenant {TenantId} failed; they will be retried")]
    private static partial void ProcessingFailed(ILogger logger, Exception ex, Guid tenantId);
}
