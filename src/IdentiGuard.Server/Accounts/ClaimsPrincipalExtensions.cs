using System.Security.Claims;

namespace IdentiGuard.Server.Accounts;

public static class ClaimsPrincipalExtensions
{
    public static Guid? UserId(this ClaimsPrincipal principal)
        => Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string DisplayName(this ClaimsPrincipal principal)
        => principal.FindFirstValue(ClaimTypes.Email) ?? principal.Identity?.Name ?? "unknown";
}
