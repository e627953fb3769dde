using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Ingestion;

/// <summary>
/// The single writer of event hook deliveries: takes whatever queued while the previous commit was running (up to the
/// batch limits) and commits it at once. Under load, batches grow by themselves, so throughput follows the database's
/// write bandwidth rather than its fsync rate; with one delivery at a time, a batch is one delivery and adds no wait.
/// </summary>
internal sealed class HookCommitWriter(HookDeliveryQueue queue, HookBatchCommitter committer, IOptions<HookCommitOptions> options) : IHostedService
{
    private Task? loop;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops taking deliveries (503) and commits every one already queued: each waits for its acknowledgement.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        if (loop is not null) await loop.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var limits = options.Value;
        var batch = new List<PendingStore>();
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var events = 0;
            while (batch.Count < limits.MaxBatchDeliveries && events < limits.MaxBatchEvents && queue.Reader.TryRead(out var pending))
            {
                queue.Dequeued(pending);
                batch.Add(pending);
                events += pending.Request.Events.Count;
            }
            try
            {
                await committer.CommitAsync(batch, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The committer fails deliveries itself; this only guards the loop, which must outlive any one batch.
                foreach (var pending in batch) pending.Fail(ex);
            }
        }
    }
}
