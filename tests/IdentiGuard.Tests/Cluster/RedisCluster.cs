using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Cluster;

/// <summary>Settings of cluster-mode hosts on the test Redis and PostgreSQL servers, isolated per test by a cluster id.</summary>
internal static class RedisCluster
{
    public const string Variable = "IDENTIGUARD_TEST_REDIS";

    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string? Missing => Server is null ? $"needs a Redis server: set {Variable}=host:port (scripts/test.sh starts Debian's redis-server)."
        : TestDatabase.PostgresServer is null ? TestDatabase.NoServer : null;

    /// <summary>A new cluster: its own Orleans cluster id, Redis key prefix and PostgreSQL database.</summary>
    public static async Task<Func<Dictionary<string, string?>>> NewAsync()
    {
        var id = $"igtest-{Guid.NewGuid():N}";
        var database = await TestDatabase.CreatePostgresDatabaseAsync("ig_cluster");
        return () => new Dictionary<string, string?>
        {
            ["IdentiGuard:Cluster:Mode"] = "Redis",
            ["IdentiGuard:Cluster:ClusterId"] = id,
            ["IdentiGuard:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["IdentiGuard:Cluster:SiloPort"] = FreePort.Next().ToString(),
            ["IdentiGuard:Cluster:GatewayPort"] = FreePort.Next().ToString(),
            ["IdentiGuard:Redis:ConnectionString"] = Server,
            ["IdentiGuard:Redis:KeyPrefix"] = id,
            ["IdentiGuard:Database:Provider"] = "PostgreSql",
            ["IdentiGuard:Database:ConnectionString"] = database,
        };
    }
}

/// <summary>A cluster-mode test: skipped with the reason when no Redis or PostgreSQL server is configured.</summary>
internal sealed class RedisClusterFactAttribute : FactAttribute
{
    public RedisClusterFactAttribute()
    {
        if (RedisCluster.Missing is { } reason) Skip = reason;
    }
}
