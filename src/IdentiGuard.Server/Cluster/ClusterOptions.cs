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
}
