using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// Takes turns at SQLite's single write lock between the two busy writers: ingestion (hook commits, System Log pages)
/// and tenant processing. SQLite's busy handler wakes a waiting writer on a sleep schedule (1, 2, 5 … 100 ms), so under
/// hook load the hook writer, which commits back to back, retook the lock before a sleeping processor woke: processing
/// spent 40 % of its time waiting and fell behind, and delivery-to-alert latency grew without bound. Here, when both
/// wait, they alternate; processors queue among themselves in arrival order, so a hook commit never waits behind more
/// than one processing save. The pollers' bookkeeping (checkpoints, their Okta calls in the activity log) queues with
/// processing: with 100 tenants, their writes slept in the busy handler for 120 ms on average, each holding a pool
/// thread and its grain's turn. Other writers (the UI) still use the busy handler. On PostgreSQL writers do not share
/// a lock, and a turn is free.
/// </summary>
public sealed class WriteTurns(IOptions<StorageOptions> storage)
{
    public enum Writer { Ingestion, Processing }

    private readonly bool shared = storage.Value.Provider == DatabaseProvider.Sqlite;
    private readonly Lock sync = new();
    private readonly Queue<TaskCompletionSource>[] waiting = [new(), new()];
    private bool held;
    private Writer holder;

    /// <summary>Waits for <paramref name="writer"/>'s turn; dispose the result after the commit.</summary>
    public async ValueTask<Turn> TakeAsync(Writer writer)
    {
        if (!shared) return default;
        TaskCompletionSource granted;
        lock (sync)
        {
            if (!held)
            {
                (held, holder) = (true, writer);
                return new Turn(this);
            }
            granted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting[(int)writer].Enqueue(granted);
        }
        // Not cancellable: a turn granted to a waiter that had left would never be given back.
        await granted.Task;
        return new Turn(this);
    }

    /// <summary>Runs one write (a statement, or a transaction from begin to commit) in <paramref name="writer"/>'s turn.</summary>
    public async Task<T> WriteAsync<T>(Writer writer, Func<Task<T>> write)
    {
        using var turn = await TakeAsync(writer);
        return await write();
    }

    private void Release()
    {
        TaskCompletionSource? next = null;
        lock (sync)
        {
            var other = holder == Writer.Ingestion ? Writer.Processing : Writer.Ingestion;
            if (waiting[(int)other].TryDequeue(out next)) holder = other;
            else if (!waiting[(int)holder].TryDequeue(out next)) held = false;
        }
        next?.SetResult();
    }

    public readonly struct Turn(WriteTurns? owner) : IDisposable
    {
        public void Dispose() => owner?.Release();
    }
}
