using IdentiGuard.Server.Ingestion;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IdentiGuard.Tests.Hooks;

/// <summary>
/// Stored events must reach detection even when nothing else arrives for the tenant: a failed grain call (its host just
/// died, the database is briefly gone) is retried until it succeeds.
/// </summary>
public sealed class IngestionNotifierTests
{
    private readonly CountingClock clock = new();
    private readonly Guid tenant = Guid.NewGuid();

    [Fact]
    public async Task FailedProcessing_IsRetried_WithGrowingPauses_UntilItSucceeds_WithoutAnotherDelivery()
    {
        var calls = 0;
        var succeeded = new TaskCompletionSource();
        var notifier = Notifier(_ =>
        {
            if (++calls <= 3) throw new TimeoutException("the grain's host is gone");
            succeeded.TrySetResult();
            return Task.FromResult(0);
        });

        notifier.EventsStored(tenant);
        await Eventually(() => calls == 1);

        // 1 s, then 2 s, then 4 s: nothing runs before each pause is over.
        foreach (var (pause, callsAfter) in new[] { (1, 2), (2, 3), (4, 4) })
        {
            await WaitForPauseAsync(callsAfter - 1);
            clock.Advance(TimeSpan.FromSeconds(pause) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(50);
            Assert.Equal(callsAfter - 1, calls);
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Eventually(() => calls == callsAfter);
        }
        await succeeded.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Idle again: the next delivery runs the grain at once.
        notifier.EventsStored(tenant);
        await Eventually(() => calls == 5);
    }

    [Fact]
    public async Task Retries_StopWhenTheHostStops()
    {
        using var stopping = new CancellationTokenSource();
        var calls = 0;
        var notifier = Notifier(_ => { calls++; throw new InvalidOperationException("database gone"); }, stopping.Token);

        notifier.EventsStored(tenant);
        await Eventually(() => calls == 1);
        await WaitForPauseAsync(1);
        await stopping.CancelAsync();
        clock.Advance(IngestionNotifier.LongestRetry);
        await Task.Delay(100);
        Assert.Equal(1, calls);
    }

    private IngestionNotifier Notifier(Func<Guid, Task<int>> process, CancellationToken stopping = default) =>
        new(process, clock, stopping, NullLogger.Instance);

    /// <summary>The notifier has started its n-th pause (advancing the clock before that would be lost).</summary>
    private Task WaitForPauseAsync(int n) => Eventually(() => clock.TimersCreated == n);

    private static async Task Eventually(Func<bool> condition) =>
        Assert.True(await TestOrg.EventuallyAsync(() => Task.FromResult(condition()), met => met), "The condition was not met in 10 s.");

    private sealed class CountingClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
    {
        private int timersCreated;

        public int TimersCreated => Volatile.Read(ref timersCreated);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref timersCreated);
            return timer;
        }
    }
}
