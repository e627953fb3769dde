using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Health;

/// <summary>Section <c>IdentiGuard:Health</c>: the periodic tenant health check that raises health alerts.</summary>
public sealed class HealthOptions
{
    public const string Section = "IdentiGuard:Health";

    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Read each tenant's hook status from Okta on every check (one request per tenant).</summary>
    public bool RefreshHooksFromOkta { get; set; } = true;

    /// <summary>Poller checkpoint older than this makes a tenant unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxPollerLag { get; set; } = TimeSpan.FromMinutes(15);
}
