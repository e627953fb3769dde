using System.Runtime.CompilerServices;
using IdentiGuard.Server.Detection;
using Orleans.Placement;

namespace IdentiGuard.Server.Ingestion;

/// <summary>One activation per tenant across the cluster: the single place its events are processed, in order.</summary>
public interface ITenantGrain : IGrainWithGuidKey
{
    /// <summary>Processes every stored event past the tenant's cursor and returns how many that was.</summary>
    Task<int> ProcessPending();
}

// Spread over the hosts by how many activations each holds. Orleans' default prefers the caller's host, so after a
// restart the first host up, whose start-up sweep calls every tenant, took them all.
[ActivationCountBasedPlacement]
internal sealed partial class TenantGrain(TenantEventProcessor processor, ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    /// <summary>Logged so an operator (and the failure tests) can see which host processes a tenant, and when it moved.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Activated(logger, this.GetPrimaryKey());
        return base.OnActivateAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId} is processed on this host (grain activated)")]
    private static partial void Activated(ILogger logger, Guid tenantId);

    /// <summary>Detection state lives with the activation; it is rebuilt from the database after a move or restart.</summary>
    private readonly StrongBox<TenantDetection?> detection = new();

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
}
