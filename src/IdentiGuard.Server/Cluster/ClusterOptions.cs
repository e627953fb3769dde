namespace IdentiGuard.Server.Cluster;

public enum ClusterMode
{
    /// <summary>One host, localhost clustering: the embedded default.</summary>
    Localhost,
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
}
