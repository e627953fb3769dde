using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Server.Cluster;

public static class OrleansExtensions
{
    /// <summary>The co-hosted Orleans silo: one activation per tenant grain across the cluster.</summary>
    public static WebApplicationBuilder AddOrleansSilo(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<IdentiGuardClusterOptions>(IdentiGuardClusterOptions.Section);
        var cluster = builder.Configuration.GetSection(IdentiGuardClusterOptions.Section).Get<IdentiGuardClusterOptions>() ?? new IdentiGuardClusterOptions();
        builder.UseOrleans(silo =>
        {
            var primary = cluster.PrimarySiloPort is { } port ? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port) : null;
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primary, serviceId: "identiguard", clusterId: "identiguard");
        });
        return builder;
    }
}
