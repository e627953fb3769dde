using IdentiGuard.Server.Storage;
using Microsoft.Extensions.Options;
using static IdentiGuard.Server.Storage.WriteTurns;

namespace IdentiGuard.Tests.Data;

/// <summary>Ingestion and tenant processing take turns at SQLite's write lock, so neither starves the other.</summary>
public sealed class WriteTurnsTests
{
    private static WriteTurns For(DatabaseProvider provider) => new(Options.Create(new StorageOptions { Provider = provider }));

    [Fact]
    public async Task WhenBothWait_TheyAlternate_AndProcessorsKeepTheirOrder()
    {
        var turns = For(DatabaseProvider.Sqlite);
        var order = new List<string>();
        var held = await turns.TakeAsync(Writer.Ingestion);
        // Queued while ingestion commits: three processors and two more ingestion commits, interleaved.
        var waiters = new[] { ("P1", Writer.Processing), ("I1", Writer.Ingestion), ("P2", Writer.Processing), ("I2", Writer.Ingestion), ("P3", Writer.Processing) }
            .Select(w => (w.Item1, Task: turns.TakeAsync(w.Item2).AsTask())).ToList();
        Assert.All(waiters, w => Assert.False(w.Task.IsCompleted));

        held.Dispose();
        for (var i = 0; i < waiters.Count; i++)
        {
            var next = await Task.WhenAny(waiters.Where(w => !order.Contains(w.Item1)).Select(w => w.Task));
            var name = waiters.Single(w => w.Task == next).Item1;
            order.Add(name);
            // Only one turn at a time: nobody else was granted while this one holds it.
            Assert.Equal(i + 1, waiters.Count(w => w.Task.IsCompleted));
            (await next).Dispose();
        }

        Assert.Equal(["P1", "I1", "P2", "I2", "P3"], order);
        using var free = await turns.TakeAsync(Writer.Processing).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task OnPostgreSql_TurnsAreFree()
    {
        var turns = For(DatabaseProvider.PostgreSql);
        using var first = await turns.TakeAsync(Writer.Ingestion);
        var second = turns.TakeAsync(Writer.Ingestion).AsTask();
        Assert.True(second.IsCompletedSuccessfully);
        (await second).Dispose();
    }
}
