using System.Net;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Storage;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace IdentiGuard.Server.Cluster;

public static class OrleansExtensions
{
    private const string ServiceId = "identiguard";

    /// <summary>
    /// The co-hosted Orleans silo: one activation per tenant grain across the cluster. <c>IdentiGuard:Cluster:Mode</c>
    /// chooses localhost clustering (one machine) or Redis (N hosts; also the SignalR backplane, the shared key ring and
    /// live alert updates, with PostgreSQL required for data).
    /// </summary>
    public static WebApplicationBuilder AddOrleansSilo(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<IdentiGuardClusterOptions>(IdentiGuardClusterOptions.Section);
        var cluster = builder.Configuration.GetSection(IdentiGuardClusterOptions.Section).Get<IdentiGuardClusterOptions>() ?? new IdentiGuardClusterOptions();
        var redis = cluster.Mode == ClusterMode.Redis ? builder.AddRedisClusterServices() : null;

        builder.UseOrleans(silo =>
        {
            if (redis is null)
            {
                var primary = cluster.PrimarySiloPort is { } port ? new IPEndPoint(IPAddress.Loopback, port) : null;
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primary, serviceId: ServiceId, clusterId: ServiceId);
                return;
            }

            silo.UseRedisClustering(options => options.ConfigurationOptions = RedisConnection.Configuration(redis));
            silo.Configure<ClusterOptions>(options => (options.ServiceId, options.ClusterId) = (ServiceId, cluster.ClusterId));
            if (string.IsNullOrWhiteSpace(cluster.AdvertisedAddress))
                silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
            else
                silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        });
        return builder;
    }

    /// <summary>Checks the cluster-mode configuration (failing start-up with the reason) and adds what the hosts share on Redis.</summary>
    private static RedisOptions AddRedisClusterServices(this WebApplicationBuilder builder)
    {
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (storage.Provider != DatabaseProvider.PostgreSql)
            throw new InvalidOperationException(
                "IdentiGuard:Cluster:Mode is Redis, which needs a database every host reaches: set IdentiGuard:Database:Provider to PostgreSql " +
                "and IdentiGuard:Database:ConnectionString (SQLite is a file on one machine).");
        var redis = builder.Configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        if (string.IsNullOrWhiteSpace(redis.ConnectionString))
            throw new InvalidOperationException("IdentiGuard:Cluster:Mode is Redis: set IdentiGuard:Redis:ConnectionString (e.g. redis.internal:6379).");

        builder.Services.AddOptions<RedisOptions>().Bind(builder.Configuration.GetSection(RedisOptions.Section));
        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddHostedService<AlertFeedRelay>();
        // Hub messages sent through IHubContext (group and all-client sends) reach connections on every host. A Blazor
        // circuit itself stays on the host it started on: the reverse proxy keeps each browser on one host.
        builder.Services.AddSignalR().AddStackExchangeRedis(options =>
        {
            options.Configuration = RedisConnection.Configuration(redis);
            options.Configuration.ChannelPrefix = RedisChannel.Literal($"{redis.KeyPrefix}:signalr");
        });
        return redis;
    }
}
