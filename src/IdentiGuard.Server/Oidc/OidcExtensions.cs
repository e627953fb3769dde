using System.Net;
using System.Security.Claims;
using IdentiGuard.Server.Configuration;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace IdentiGuard.Server.Oidc;

public static class OidcExtensions
{
    /// <summary>Registers the OpenID Connect handler when <c>IdentiGuard:Oidc:Authority</c> is set (authorization code + PKCE).</summary>
    public static WebApplicationBuilder AddOidcSignIn(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<OidcOptions>(OidcOptions.Section);
        services.AddScoped<SsoSignIn>();
        services.AddScoped<SsoMembershipSync>();
        var settings = builder.Configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        if (!settings.Enabled) return builder;

        // Plain http:// only for a loopback provider when the Okta emulator is allowed (tests and local demos).
        var allowInsecureLoopback = builder.Configuration.GetValue<bool>("IdentiGuard:Okta:AllowInsecureLoopback")
            && Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority) && IsLoopback(authority);
        services.AddAuthentication().AddOpenIdConnect(OidcOptions.Scheme, settings.DisplayName, o =>
        {
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.Scope.Clear();
            foreach (var scope in settings.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
            o.CallbackPath = "/signin-oidc";
            o.MapInboundClaims = false; // keep sub, email, amr and the groups claim under their own names
            o.TokenValidationParameters.NameClaimType = "name";
            o.SaveTokens = false; // IdentiGuard needs the identity, not the provider's tokens
            o.GetClaimsFromUserInfoEndpoint = false;
            o.DisableTelemetry = true;
            o.RequireHttpsMetadata = !allowInsecureLoopback;
            // The provider redirects back with a top-level GET (query response mode), which Lax cookies accompany.
            o.CorrelationCookie.SameSite = o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnTokenValidated = context =>
            {
                // Identity's external-login lookup keys on NameIdentifier; the provider's stable id is "sub".
                if (context.Principal?.Identity is ClaimsIdentity identity && identity.FindFirst("sub") is { } sub)
                    identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, sub.Value));
                return Task.CompletedTask;
            };
            o.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect("/account/login?error=sso");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return builder;
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
}
