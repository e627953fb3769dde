using IdentiGuard.Server.Alerts;
using StackExchange.Redis;

namespace IdentiGuard.Server.Cluster;

/// <summary>
/// Cluster mode: a user's Blazor circuit lives on one host, but the tenant grain that raises an alert may run on any.
/// Every alert change made here is published on a Redis channel, and changes from other hosts are raised on this
/// host's <see cref="AlertFeed"/>, so open alert pages refresh wherever the alert was raised.
/// </summary>
internal sealed partial class AlertFeedRelay(AlertFeed feed, RedisConnection redis, ILogger<AlertFeedRelay> logger) : IHostedService
{
    private readonly string hostId = Guid.NewGuid().ToString("N");
    private RedisChannel Channel => RedisChannel.Literal(redis.Key("alerts"));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.Multiplexer.GetSubscriber().SubscribeAsync(Channel, (_, message) => OnMessage(message));
        feed.ChangedHere += OnChangedHere;
    }

    private void OnChangedHere(Guid workspaceId)
    {
        // Fire and forget: a lost notification only delays a page until its periodic refresh.
        redis.Multiplexer.GetSubscriber().Publish(Channel, $"{hostId}/{workspaceId:D}", CommandFlags.FireAndForget);
    }

    private void OnMessage(RedisValue message)
    {
        var text = (string?)message ?? "";
        var slash = text.IndexOf('/');
        if (slash < 0 || !Guid.TryParse(text.AsSpan(slash + 1), out var workspaceId))
        {
            Malformed(logger);
            return;
        }
        if (text.AsSpan(0, slash).SequenceEqual(hostId)) return;
        feed.DeliverFromCluster(workspaceId);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        feed.ChangedHere -= OnChangedHere;
        await redis.Multiplexer.GetSubscriber().UnsubscribeAsync(Channel);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed alert update on the cluster channel")]
    private static partial void Malformed(ILogger logger);
}
