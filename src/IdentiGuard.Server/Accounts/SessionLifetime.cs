using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Accounts;

/// <summary>
/// Session timeout: the cookie's sliding expiration is the idle timeout; the absolute lifetime is enforced here from
/// the sign-in time kept in the ticket, which sliding renewals and security-stamp refreshes carry over unchanged.
/// </summary>
internal static class SessionLifetime
{
    private const string StartedKey = ".identiguard.session-started";

    public static void Configure(CookieAuthenticationOptions cookie, SignInOptions options)
    {
        cookie.ExpireTimeSpan = options.IdleTimeout;
        cookie.SlidingExpiration = true;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = options.CookieSecurePolicy;

        var signingIn = cookie.Events.OnSigningIn;
        cookie.Events.OnSigningIn = context =>
        {
            var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
            if (!context.Properties.Items.ContainsKey(StartedKey)) context.Properties.Items[StartedKey] = time.GetUtcNow().ToString("O");
            return signingIn(context);
        };

        var validating = cookie.Events.OnValidatePrincipal;
        cookie.Events.OnValidatePrincipal = async context =>
        {
            var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
            if (!context.Properties.Items.TryGetValue(StartedKey, out var started) || !DateTimeOffset.TryParse(started, out var at)
                || time.GetUtcNow() - at > options.AbsoluteLifetime)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                return;
            }
            await validating(context);
        };
    }

    /// <summary>Properties for re-issuing the cookie of the current session (for example after MFA enrolment) without restarting its lifetime.</summary>
    public static AuthenticationProperties CarryOver(AuthenticationProperties? current)
    {
        var properties = new AuthenticationProperties();
        if (current?.Items.TryGetValue(StartedKey, out var started) == true) properties.Items[StartedKey] = started;
        return properties;
    }
}

/// <summary>Applies <see cref="SignInOptions"/> to Identity's cookies, after the defaults set in <see cref="AccountsExtensions"/>.</summary>
internal sealed class SessionCookieSetup(IOptions<SignInOptions> options) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions cookie)
    {
        var settings = options.Value;
        if (name == IdentityConstants.ApplicationScheme)
        {
            SessionLifetime.Configure(cookie, settings);
            return;
        }
        if (name == IdentityConstants.TwoFactorUserIdScheme || name == IdentityConstants.ExternalScheme)
        {
            // The half-signed-in states (password done, second factor pending; back from the identity provider) are short.
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = settings.CookieSecurePolicy;
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        }
    }
}
