using System.Security.Claims;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Mfa;
using IdentiGuard.Server.Oidc;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Accounts;

/// <summary>Sign-in hardening on top of <see cref="AccountsExtensions.AddAccounts"/>: TOTP MFA, OpenID Connect SSO, rate limiting, session timeout.</summary>
public static class SignInExtensions
{
    public static WebApplicationBuilder AddSignIn(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SignInOptions>(SignInOptions.Section);
        services.AddHttpContextAccessor();
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, SessionCookieSetup>();

        // Identity's authenticator provider replaced by one that refuses replayed codes; recovery codes stored hashed.
        services.AddTransient<TotpAuthenticatorTokenProvider>();
        services.Configure<IdentityOptions>(o => o.Tokens.ProviderMap[TokenOptions.DefaultAuthenticatorProvider] =
            new TokenProviderDescriptor(typeof(TotpAuthenticatorTokenProvider)));
        services.Replace(ServiceDescriptor.Scoped<IUserStore<AppUser>, RecoveryCodeHashingUserStore>());
        // A session refreshed by the security-stamp check keeps how it was verified (its second factor).
        services.Configure<SecurityStampValidatorOptions>(o => o.OnRefreshingPrincipal = context =>
        {
            if (context.CurrentPrincipal?.FindFirst("amr") is { } amr && context.NewPrincipal?.Identity is ClaimsIdentity identity && !identity.HasClaim("amr", amr.Value))
                identity.AddClaim(new Claim("amr", amr.Value));
            return Task.CompletedTask;
        });
        services.AddScoped<MfaEnrolment>();
        services.AddScoped<WorkspaceMfaPolicy>();

        services.AddSignInRateLimiting();
        builder.AddOidcSignIn();
        return builder;
    }

    /// <summary>After authentication: sign-in rate limits, then the per-workspace MFA requirement.</summary>
    public static IApplicationBuilder UseSignInProtection(this IApplicationBuilder app)
        => app.UseRateLimiter().UseWorkspaceMfaRequirement();
}
