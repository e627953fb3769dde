using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Tests.Notifications;

/// <summary>The dispatcher's loop outlives any failed pass: it is the only thing that ever sends an alert.</summary>
public sealed class AlertDispatcherLoopTests
{
    [Fact]
    public async Task APassEndingInAStrayCancellation_DoesNotEndTheDispatcher()
    {
        // The first pass fails with a cancellation nobody asked for, the next ones with an ordinary error.
        var scopes = new FailingScopes(first: new OperationCanceledException("a timeout's token, not the host's"));
        var dispatcher = new AlertDispatcher(scopes, new AlertFeed(),
            Options.Create(new NotificationOptions { PollInterval = TimeSpan.FromMilliseconds(50) }),
            Options.Create(new IdentiGuardOptions()), TimeProvider.System, NullLogger<AlertDispatcher>.Instance);

        await dispatcher.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (scopes.Calls < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await dispatcher.StopAsync(CancellationToken.None);

        Assert.True(scopes.Calls >= 3, $"The dispatcher made {scopes.Calls} pass(es) and then stopped.");
    }

    private sealed class FailingScopes(Exception first) : IServiceScopeFactory
    {
        private int calls;
        public int Calls => Volatile.Read(ref calls);

        public IServiceScope CreateScope()
            => Interlocked.Increment(ref calls) == 1 ? throw first : throw new InvalidOperationException("The database is gone.");
    }
}
