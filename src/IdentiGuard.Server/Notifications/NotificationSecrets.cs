using Microsoft.AspNetCore.DataProtection;

namespace IdentiGuard.Server.Notifications;

/// <summary>
/// Encrypts destination secrets at rest (webhook URLs that embed tokens, HMAC signing secrets, PagerDuty routing keys)
/// with ASP.NET Data Protection, like tenant secrets but under their own purpose.
/// </summary>
public sealed class NotificationSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("IdentiGuard.Notifications.Secrets.v1");

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);
}
