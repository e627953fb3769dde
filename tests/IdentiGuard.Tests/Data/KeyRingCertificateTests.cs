using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Data;

/// <summary>With <c>IdentiGuard:DataProtection:CertificatePath</c>, the key ring on disk is encrypted to the certificate:
/// a copy of the data directory alone no longer holds a usable key, and the host with the certificate still reads it.</summary>
public sealed class KeyRingCertificateTests
{
    [Fact]
    public async Task KeyRing_EncryptedToTheCertificate_IsReadAgainAfterARestart()
    {
        var (certificate, password) = NewCertificate("ring-1");
        var settings = Settings(certificate, password);
        string secret;
        string dataDirectory;
        await using (var app = await IdentiGuardApp.StartAsync(settings))
        {
            dataDirectory = app.DataDirectory;
            secret = Protector(app).Protect("okta client secret");
        }

        var keyFiles = Directory.GetFiles(Path.Combine(dataDirectory, "keys"), "key-*.xml");
        Assert.NotEmpty(keyFiles);
        foreach (var file in keyFiles)
        {
            var xml = File.ReadAllText(file);
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("unencrypted form", xml, StringComparison.Ordinal);
        }

        // Without the certificate, the copied keys cannot be used.
        var copy = Directory.CreateTempSubdirectory("identiguard-keycopy-");
        foreach (var file in keyFiles) File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
        var keyless = DataProtectionProvider.Create(copy, b => b.SetApplicationName("IdentiGuard")).CreateProtector("test");
        Assert.ThrowsAny<CryptographicException>(() => keyless.Unprotect(secret));

        await using var restarted = await IdentiGuardApp.StartAsync(settings, dataDirectory);
        Assert.Equal("okta client secret", Protector(restarted).Unprotect(secret));
    }

    [Fact]
    public async Task RotatedCertificate_PreviousOneStillReadsTheOlderKeys()
    {
        var (first, firstPassword) = NewCertificate("ring-old");
        string secret;
        string dataDirectory;
        await using (var app = await IdentiGuardApp.StartAsync(Settings(first, firstPassword)))
        {
            dataDirectory = app.DataDirectory;
            secret = Protector(app).Protect("written under the old certificate");
        }

        var (second, secondPassword) = NewCertificate("ring-new");
        var rotated = Settings(second, secondPassword);
        rotated["IdentiGuard:DataProtection:PreviousCertificatePaths"] = first;
        rotated["IdentiGuard:DataProtection:PreviousCertificatePasswords"] = firstPassword;
        await using var app2 = await IdentiGuardApp.StartAsync(rotated, dataDirectory);
        Assert.Equal("written under the old certificate", Protector(app2).Unprotect(secret));
    }

    [Fact]
    public async Task UnreadableCertificate_StopsTheStartWithTheReason()
    {
        var settings = new Dictionary<string, string?> { ["IdentiGuard:DataProtection:CertificatePath"] = "/nonexistent/ring.pfx" };
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () => await (await IdentiGuardApp.StartAsync(settings)).DisposeAsync());
        Assert.Contains("IdentiGuard:DataProtection:CertificatePath", Flatten(failure), StringComparison.Ordinal);
    }

    private static IDataProtector Protector(IdentiGuardApp app) => app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");

    private static Dictionary<string, string?> Settings(string certificatePath, string password) => new()
    {
        ["IdentiGuard:DataProtection:CertificatePath"] = certificatePath,
        ["IdentiGuard:DataProtection:CertificatePassword"] = password,
    };

    private static (string Path, string Password) NewCertificate(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=IdentiGuard key ring {name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var path = Path.Combine(Directory.CreateTempSubdirectory("identiguard-cert-").FullName, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return (path, password);
    }

    private static string Flatten(Exception ex) => ex.InnerException is null ? ex.Message : ex.Message + " | " + Flatten(ex.InnerException);
}
