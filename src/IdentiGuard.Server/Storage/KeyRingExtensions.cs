using IdentiGuard.Server.Cluster;
using IdentiGuard.Server.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// The Data Protection key ring, which encrypts the stored Okta secrets (and cookies, antiforgery tokens): without it
/// the secrets in the database cannot be read. One host keeps it in <c>{DataDirectory}/keys</c>, backed up with the
/// database; in cluster mode every host reads and writes one ring on Redis.
/// </summary>
internal static class KeyRingExtensions
{
    public static void AddKeyRing(this WebApplicationBuilder builder, IdentiGuardOptions host)
    {
        var protection = builder.Services.AddDataProtection().SetApplicationName("IdentiGuard");
        var mode = builder.Configuration.GetSection(IdentiGuardClusterOptions.Section).GetValue<ClusterMode>(nameof(IdentiGuardClusterOptions.Mode));
        if (mode != ClusterMode.Redis)
        {
            protection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(host.ResolvedDataDirectory, "keys")));
            return;
        }
        // The connection is resolved when the ring is first read, from the same RedisConnection the cluster services use.
        builder.Services.AddOptions<KeyManagementOptions>().Configure<RedisConnection>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.Multiplexer.GetDatabase(), redis.Key("dataprotection-keys")));
    }
}
