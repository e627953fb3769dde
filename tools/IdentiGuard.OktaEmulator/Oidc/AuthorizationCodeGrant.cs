using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.Tokens;
using Microsoft.Extensions.Primitives;

namespace IdentiGuard.OktaEmulator.Oidc;

/// <summary>
/// <c>grant_type=authorization_code</c> on <c>/oauth2/v1/token</c> for OIDC web apps: the client authenticates with
/// its configured method, the code is single-use and bound to the client and redirect URI, and the PKCE verifier must
/// hash to the challenge sent to authorize.
/// </summary>
internal static class AuthorizationCodeGrant
{
    /// <summary>True when the request names a registered OIDC app; API service integrations keep the client-credentials rules.</summary>
    public static bool Applies(HttpContext ctx, IFormCollection form)
    {
        if (form["grant_type"] != "authorization_code") return false;
        var oidc = ctx.RequestServices.GetRequiredService<OidcServer>();
        var clientId = form.TryGetValue("client_id", out var id) ? id.ToString() : TryParseBasic(ctx.Request.Headers.Authorization, out var basicId, out _) ? basicId : null;
        return oidc.FindApp(clientId) is not null;
    }

    public static IResult Handle(HttpContext ctx, IFormCollection form, EmulatorState state)
    {
        var oidc = ctx.RequestServices.GetRequiredService<OidcServer>();
        var header = ctx.Request.Headers.Authorization;
        var hasHeader = !StringValues.IsNullOrEmpty(header);
        string? clientId, secret;
        if (hasHeader && form.ContainsKey("client_secret"))
            return Error(401, "invalid_request", "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.");
        if (hasHeader)
        {
            if (!TryParseBasic(header, out clientId, out secret)) return Error(401, "invalid_client", "Found Authentication header but was not valid client credentials.");
        }
        else
        {
            clientId = form["client_id"];
            secret = form["client_secret"];
        }
        var app = oidc.FindApp(clientId);
        var method = hasHeader ? "client_secret_basic" : "client_secret_post";
        if (app is null || string.IsNullOrEmpty(secret) || app.TokenEndpointAuthMethod != method || !FixedTimeEquals(app.ClientSecret, secret))
            return Error(401, "invalid_client", "Client authentication failed. Either the client or the client credentials are invalid.");
        ctx.Items[HttpItems.ClientId] = app.ClientId;

        var code = oidc.Redeem(form["code"].ToString());
        if (code is null || code.Request.ClientId != app.ClientId)
            return Error(400, "invalid_grant", "The authorization code is invalid or has expired.");
        if (form["redirect_uri"] != code.Request.RedirectUri)
            return Error(400, "invalid_grant", "The 'redirect_uri' does not match the redirection URI used in the authorization request.");
        var verifier = form["code_verifier"].ToString();
        if (code.Request.CodeChallenge is { } challenge)
        {
            if (verifier.Length == 0) return Error(400, "invalid_request", "PKCE code verifier is required when the parameter code_challenge was sent in the authorize request.");
            var computed = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            if (!FixedTimeEquals(computed, challenge)) return Error(400, "invalid_grant", "PKCE verification failed.");
        }
        else if (verifier.Length > 0)
        {
            return Error(400, "invalid_request", "'code_verifier' was supplied but no 'code_challenge' was sent in the authorize request.");
        }

        var user = oidc.FindUserById(code.UserId);
        if (user is null) return Error(400, "invalid_grant", "The authorization code is invalid or has expired.");
        var scopes = code.Request.Scope.Split(' ');
        return OktaJson.Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)TokenStore.Lifetime.TotalSeconds,
            ["access_token"] = state.Tokens.Issue(state.BaseUrl, app.ClientId, scopes),
            ["scope"] = code.Request.Scope,
            ["id_token"] = IdTokens.Create(oidc, state.BaseUrl, code, user),
        });
    }

    private static IResult Error(int status, string error, string description) =>
        OktaJson.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, status);

    private static bool TryParseBasic(StringValues header, out string? clientId, out string? secret)
    {
        clientId = secret = null;
        var value = header.ToString();
        if (!value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value[6..].Trim()));
            var colon = decoded.IndexOf(':');
            if (colon <= 0) return false;
            clientId = Uri.UnescapeDataString(decoded[..colon]);
            secret = Uri.UnescapeDataString(decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool FixedTimeEquals(string a, string b) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
