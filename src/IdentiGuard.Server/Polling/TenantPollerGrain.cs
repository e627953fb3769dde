using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace IdentiGuard.Server.Polling;

/// <summary>
/// The System Log poller of one tenant (keyed by tenant id): one activation cluster-wide, driven by a grain timer.
/// The database lease in <see cref="PollLease"/> covers the moments Orleans runs two activations.
/// </summary>
public interface ITenantPollerGrain : IGrainWithGuidKey
{
    /// <summary>Starts polling (idempotent); polls at once. Called at start-up and when the tenant connects.</summary>
    Task Start();

    /// <summary>Keeps the poller's timer running without an extra poll (the periodic sweep that revives pollers after a host is lost).</summary>
    Task EnsureRunning();

    /// <summary>Stops polling and releases the lease (the tenant is being deleted).</summary>
    Task Stop();
}

// Spread over the hosts by how many activations each holds. Orleans' default prefers the caller's host, so after a
// restart the first host up, whose start-up sweep calls every tenant, took them all.
[ActivationCountBasedPlacement]
internal sealed partial class TenantPollerGrain(TenantPoller poller, IOptions<PollingOptions> options, ILogger<TenantPollerGrain> logger) : Grain, ITenantPollerGrain
{
    private IGrainTimer? timer;

    public Task Start()
    {
        poller.Wake();
        return EnsureRunning();
    }

    public Task EnsureRunning()
    {
        // Not interleaved: one tick at a time. Kept alive: the grain must not be collected while idle.
        timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.MinInterval) { KeepAlive = true, Interleave = false });
        return Task.CompletedTask;
    }

    public async Task Stop()
    {
        timer?.Dispose();
        timer = null;
        await poller.ReleaseAsync(CancellationToken.None);
        this.DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        timer?.Dispose();
        timer = null;
        await poller.ReleaseAsync(cancellationToken);
    }

    private async Task TickAsync(CancellationToken ct)
    {
        try
        {
            if (!await poller.TickAsync(this.GetPrimaryKey(), ct)) await Stop();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The checkpoint did not move: the next tick retries from it.
            TickFailed(logger, ex, this.GetPrimaryKey());
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "System Log poll of tenant {TenantId} failed; retrying on the next tick")]
    private static partial void TickFailed(ILogger logger, Exception ex, Guid tenantId);
}
