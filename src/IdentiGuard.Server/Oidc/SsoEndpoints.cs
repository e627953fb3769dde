using IdentiGuard.Data.Accounts;
using IdentiGuard.Server.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Oidc;

public static class SsoEndpoints
{
    /// <summary>
    /// <c>GET /account/sso</c> starts the authorization-code flow (a link, not a form: the browser must be allowed to
    /// follow the redirect to the provider, which the CSP's <c>form-action 'self'</c> would block after a form post);
    /// <c>GET /account/sso/callback</c> finishes it after the handler validated the provider's response on <c>/signin-oidc</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapSsoEndpoints(this IEndpointRouteBuilder app)
    {
        var sso = app.MapGroup("/account/sso").ExcludeFromDescription();
        sso.MapGet("/", (string? returnUrl, IOptions<OidcOptions> options, SignInManager<AppUser> signIn) =>
        {
            if (!options.Value.Enabled) return Results.NotFound();
            var callback = "/account/sso/callback?returnUrl=" + Uri.EscapeDataString(ReturnUrls.Safe(returnUrl));
            return Results.Challenge(signIn.ConfigureExternalAuthenticationProperties(OidcOptions.Scheme, callback), [OidcOptions.Scheme]);
        });
        sso.MapGet("/callback", async (string? returnUrl, SsoSignIn sso, CancellationToken ct) =>
        {
            var target = ReturnUrls.Safe(returnUrl);
            var result = await sso.CompleteAsync(ct);
            return result.Outcome switch
            {
                SsoOutcome.SignedIn => Results.LocalRedirect(target),
                SsoOutcome.RequiresTwoFactor => Results.LocalRedirect("/account/login/2fa?returnUrl=" + Uri.EscapeDataString(target)),
                SsoOutcome.LockedOut => Results.LocalRedirect("/account/login?error=locked"),
                _ => Results.LocalRedirect("/account/login?error=sso&reason=" + Uri.EscapeDataString(result.Reason ?? "")),
            };
        });
        return app;
    }
}
