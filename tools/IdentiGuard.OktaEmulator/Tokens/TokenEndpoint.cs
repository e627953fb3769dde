using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.Tokens;

/// <summary>POST /oauth2/v1/token — client credentials with client_secret_basic, as for an OIN API service integration.</summary>
internal static class TokenEndpoint
{
    private const string MultipleCredentials =
        "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.";

    private static readonly HashSet<string> KnownGrantTypes = new(StringComparer.Ordinal)
    {
        "authorization_code", "password", "refresh_token", "implicit", "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange", "urn:ietf:params:oauth:grant-type:saml2-bearer",
        "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:okta:params:oauth:grant-type:otp",
        "urn:okta:params:oauth:grant-type:oob", "http://auth0.com/oauth/grant-type/mfa-oob", "interaction_code",
    };

    public static void Map(WebApplication app)
    {
        app.MapPost("/oauth2/v1/token", Handle);
    }

    private static IResult OAuthError(int status, string error, string description) =>
        OktaJson.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, status);

    internal static async Task<IResult> Handle(HttpContext ctx, EmulatorState state)
    {
        ctx.Response.Headers.CacheControl = "no-cache, no-store";
        ctx.Response.Headers.Pragma = "no-cache";
        var query = ctx.Request.Query;
        if (query.ContainsKey("client_id") || query.ContainsKey("client_secret") || query.ContainsKey("client_assertion"))
            return OAuthError(400, "invalid_request", "Client credentials cannot be supplied via query parameters.");

        if (!ctx.Request.HasFormContentType ||
            !(ctx.Request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return OAuthError(400, "invalid_request", "The request must use Content-Type application/x-www-form-urlencoded.");

        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        // OIDC web apps (authorization code + PKCE) have their own client authentication rules.
        if (Oidc.AuthorizationCodeGrant.Applies(ctx, form)) return Oidc.AuthorizationCodeGrant.Handle(ctx, form, state);
        var authHeader = ctx.Request.Headers.Authorization.ToString();
        var hasAuthHeader = authHeader.Length > 0;
        var hasBodyCredentials = form.ContainsKey("client_id") || form.ContainsKey("client_secret") ||
                                 form.ContainsKey("client_assertion");

        if (hasAuthHeader && hasBodyCredentials)
            return OAuthError(401, "invalid_request", MultipleCredentials);
        if (!hasAuthHeader && hasBodyCredentials)
            return OAuthError(401, "invalid_client",
                "OAuth Integration Client Credentials requests to the Org Authorization Server must use either private_key_jwt or client_secret_basic as the token_endpoint_auth_method.");
        if (!hasAuthHeader)
            return OAuthError(401, "invalid_client", "No client credentials found");
        if (!TryParseBasic(authHeader, out var clientId, out var secret))
            return OAuthError(401, "invalid_client", "Found Authentication header but was not valid client credentials.");

        var client = state.FindClient(clientId);
        if (client is null || client.Revoked)
            return OAuthError(401, "invalid_client", "Client authentication failed. Either the client or the client credentials are invalid.");
        bool accepted;
        lock (state.Sync) accepted = client.Accepts(secret, FixedTimeEquals);
        if (!accepted)
            return OAuthError(401, "invalid_client", "The client secret supplied for a confidential client is invalid.");
        ctx.Items[HttpItems.ClientId] = client.ClientId;

        var grantType = form["grant_type"].ToString();
        if (grantType.Length == 0)
            return OAuthError(400, "invalid_request", "The token request must specify a 'grant_type'. Valid values: [client_credentials]");
        if (grantType != "client_credentials")
            return KnownGrantTypes.Contains(grantType)
                ? OAuthError(400, "unauthorized_client", "The client is not authorized to use the provided grant type. Configured grant types: [client_credentials].")
                : OAuthError(400, "unsupported_grant_type", "The grant type in the request isn't supported.");

        var requested = form["scope"].ToString()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();
        if (requested.Count == 0)
            return OAuthError(400, "invalid_scope", "No scopes were requested.");
        if (requested.Any(OktaScopes.OidcScopes.Contains))
            return OAuthError(400, "invalid_scope", "Cannot request 'openid' scopes using client credentials.");
        if (!requested.All(OktaScopes.IsKnown))
            return OAuthError(400, "invalid_scope", "One or more scopes are not configured for the authorization server resource.");

        // Observed Okta behaviour: requested-but-ungranted scopes are silently left out of the token.
        var granted = requested.Where(s => client.GrantedScopes.Contains(s, StringComparer.Ordinal)).ToList();
        if (granted.Count == 0)
            return OAuthError(400, "invalid_scope",
                "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.");

        var token = state.Tokens.Issue(state.BaseUrl, client.ClientId, granted);
        return OktaJson.Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)TokenStore.Lifetime.TotalSeconds,
            ["access_token"] = token,
            ["scope"] = string.Join(' ', granted),
        });
    }

    private static bool TryParseBasic(string header, out string clientId, out string secret)
    {
        clientId = secret = "";
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var idx = decoded.IndexOf(':');
            if (idx <= 0) return false;
            clientId = Uri.UnescapeDataString(decoded[..idx].Replace('+', ' '));
            secret = Uri.UnescapeDataString(decoded[(idx + 1)..].Replace('+', ' '));
            return secret.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
