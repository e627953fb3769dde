namespace IdentiGuard.Server.Configuration;

public static class ApplicationStarted
{
    /// <summary>
    /// Completes once the host has started. Background work that calls grains waits for it: the co-hosted silo accepts
    /// calls only after start-up.
    /// </summary>
    public static async Task WaitForStartAsync(this IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(ct);
    }
}
