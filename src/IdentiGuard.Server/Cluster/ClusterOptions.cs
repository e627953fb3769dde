namespace IdentiGuard.Server.Cluster;

public enum ClusterMode
{
    /// <summary>One host, localhost clustering: the embedded default.</summary>
    Localhost,

    /// <summary>
    /// N identical hosts: Orleans membership, the SignalR backplane, the Data Protection key ring and live alert updates
    /// on Redis; data on PostgreSQL.
    /// </summary>
    Redis,
}

/// <summary>Section <c>IdentiGuard:Cluster</c> (not <c>Orleans</c>, which Orleans reads itself).</summary>
public sealed class IdentiGuardClusterOptions
{
    public const string Section = "IdentiGuard:Cluster";

    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Localhost clustering of several hosts on one machine: the silo port of the host that keeps the membership table.
    /// Empty on that host itself (and on a single host).
    /// </summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>Redis mode: hosts with the same cluster id form one cluster (several clusters can share one Redis).</summary>
    public string ClusterId { get; set; } = "identiguard";

    /// <summary>
    /// Redis mode: the address other hosts reach this host's silo port at. Empty picks this machine's first non-loopback
    /// address, which is right for one host per machine or container.
    /// </summary>
    public string? AdvertisedAddress { get; set; }
}

/// <summary>Section <c>IdentiGuard:Redis</c>: the Redis server of cluster mode.</summary>
public sealed class RedisOptions
{
    public const string Section = "IdentiGuard:Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis.internal:6379,password=…,ssl=true</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prefix of IdentiGuard's Redis keys and channels (the key ring, alert updates, the SignalR backplane).</summary>
    public string KeyPrefix { get; set; } = "identiguard";
}
