namespace IdentiGuard.Server.Telemetry;

/// <summary>Section <c>IdentiGuard:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "IdentiGuard:Telemetry";

    /// <summary>Serve the Prometheus scrape endpoint at <see cref="PrometheusPath"/>.</summary>
    public bool PrometheusEnabled { get; set; } = true;

    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>
    /// The metrics are unauthenticated, so by default only loopback connections get them (a scraper or agent on the
    /// host). Set true to let other hosts scrape, and then keep the path off the public reverse proxy.
    /// </summary>
    public bool PrometheusAllowRemote { get; set; }
}
