using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace IdentiGuard.Server.Tenants;

/// <summary>Encrypts tenant secrets at rest with ASP.NET Data Protection (keys persisted in the data directory or cluster store).</summary>
public sealed class TenantSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("IdentiGuard.Tenants.Secrets.v1");

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);

    /// <summary>A fresh event hook secret: 256 random bits, URL-safe.</summary>
    public static string NewHookSecret()
        => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
