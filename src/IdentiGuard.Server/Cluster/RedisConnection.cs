using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IdentiGuard.Server.Cluster;

/// <summary>The one Redis connection a host shares for its key ring and alert updates (Orleans and SignalR keep their own).</summary>
public sealed class RedisConnection(IOptions<RedisOptions> options) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> multiplexer = new(() => ConnectionMultiplexer.Connect(Configuration(options.Value)));

    public IConnectionMultiplexer Multiplexer => multiplexer.Value;

    public string Key(string name) => $"{options.Value.KeyPrefix}:{name}";

    /// <summary>Keeps reconnecting instead of failing when Redis is briefly unreachable (at start or later).</summary>
    public static ConfigurationOptions Configuration(RedisOptions redis)
    {
        var configuration = ConfigurationOptions.Parse(redis.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        return configuration;
    }

    public void Dispose()
    {
        if (multiplexer.IsValueCreated) multiplexer.Value.Dispose();
    }
}
