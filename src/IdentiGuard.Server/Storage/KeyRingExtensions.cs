using IdentiGuard.Server.Cluster;
using IdentiGuard.Server.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
        ProtectWithCertificate(protection, builder.Configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new());
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

    /// <summary>Encrypts every key of the ring to the configured certificate; previous certificates stay able to read
    /// older keys. A path that cannot be loaded stops the start with the reason, rather than silently writing plain keys.</summary>
    private static void ProtectWithCertificate(IDataProtectionBuilder protection, KeyRingOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath)) return;
        var current = Load(options.CertificatePath, options.CertificatePassword);
        protection.ProtectKeysWithCertificate(current);
        var previousPaths = Split(options.PreviousCertificatePaths);
        var previousPasswords = Split(options.PreviousCertificatePasswords);
        var readers = previousPaths.Select((path, i) => Load(path, i < previousPasswords.Length ? previousPasswords[i] : null)).Prepend(current).ToArray();
        protection.UnprotectKeysWithAnyCertificate(readers);
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            if (!certificate.HasPrivateKey) throw new InvalidOperationException("it has no private key, so the key ring could not be read back");
            return certificate;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"{KeyRingOptions.Section}:CertificatePath: the certificate '{path}' cannot protect the key ring: {ex.Message}", ex);
        }
    }

    private static string[] Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
