using System.Net;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.Oidc;

/// <summary>Discovery, JWKS and the authorize endpoint of the org authorization server (the token grant is in <see cref="AuthorizationCodeGrant"/>).</summary>
internal static class OidcEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/.well-known/openid-configuration", Discovery);
        app.MapGet("/oauth2/v1/keys", (OidcServer oidc) => OktaJson.Json(Jwks(oidc)));
        app.MapGet("/oauth2/v1/authorize", Authorize);
        app.MapPost("/oauth2/v1/authorize/login", SignInAsync).DisableAntiforgery();
    }

    private static IResult Discovery(EmulatorState state)
    {
        var org = state.BaseUrl;
        static JsonArray Array(params string[] values) => new(values.Select(v => (JsonNode)v).ToArray());
        return OktaJson.Json(new JsonObject
        {
            ["issuer"] = org,
            ["authorization_endpoint"] = $"{org}/oauth2/v1/authorize",
            ["token_endpoint"] = $"{org}/oauth2/v1/token",
            ["jwks_uri"] = $"{org}/oauth2/v1/keys",
            ["response_types_supported"] = Array("code"),
            ["response_modes_supported"] = Array("query"),
            ["grant_types_supported"] = Array("authorization_code", "client_credentials"),
            ["subject_types_supported"] = Array("public"),
            ["id_token_signing_alg_values_supported"] = Array("RS256"),
            ["scopes_supported"] = Array("openid", "email", "profile", "groups"),
            ["token_endpoint_auth_methods_supported"] = Array("client_secret_basic", "client_secret_post"),
            ["claims_supported"] = Array("iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp", "nonce", "name",
                "preferred_username", "email", "email_verified", "groups"),
            ["code_challenge_methods_supported"] = Array("S256"),
            ["request_parameter_supported"] = false,
        });
    }

    private static JsonObject Jwks(OidcServer oidc)
    {
        var parameters = oidc.SigningKey.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA", ["alg"] = "RS256", ["kid"] = oidc.KeyId, ["use"] = "sig",
                ["e"] = IdTokens.Base64Url(parameters.Exponent!), ["n"] = IdTokens.Base64Url(parameters.Modulus!),
            }),
        };
    }

    /// <summary>
    /// Validates the request the way Okta does: an unknown client or a redirect URI that is not registered gets an error
    /// page (never a redirect); every later error is sent back to the redirect URI with the state.
    /// </summary>
    private static IResult Authorize(HttpContext ctx, OidcServer oidc)
    {
        var q = ctx.Request.Query;
        var app = oidc.FindApp(q["client_id"]);
        if (app is null) return ErrorPage("The client_id is invalid or missing.");
        var redirectUri = q["redirect_uri"].ToString();
        if (!app.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
            return ErrorPage("The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.");
        var state = q["state"].ToString();
        IResult Fail(string error, string description) => Results.Redirect(
            $"{redirectUri}?error={error}&error_description={Uri.EscapeDataString(description)}&state={Uri.EscapeDataString(state)}");

        if (q["response_type"] != "code") return Fail("unsupported_response_type", "The response type is not supported by the authorization server. Configured response types: [code].");
        var scopes = q["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains("openid")) return Fail("invalid_scope", "The requested scope is invalid, unknown, or malformed.");
        if (scopes.Except(["openid", "email", "profile", "groups", "offline_access"]).Any())
            return Fail("invalid_scope", "One or more scopes are not configured for the authorization server resource.");
        if (state.Length == 0) return Fail("invalid_request", "The authentication request has an invalid 'state' parameter.");
        if (q["response_mode"] is { Count: > 0 } mode && mode != "query")
            return Fail("invalid_request", "The response mode is not supported by the emulator. Use 'query'.");
        var challenge = q["code_challenge"].ToString();
        if (challenge.Length == 0 && app.RequirePkce)
            return Fail("invalid_request", "PKCE code challenge is required when the token endpoint authentication method is 'NONE'.");
        if (challenge.Length > 0)
        {
            if (q["code_challenge_method"] != "S256") return Fail("invalid_request", "'code_challenge_method' is invalid. Must be 'S256'.");
            if (challenge.Length is < 43 or > 128) return Fail("invalid_request", "'code_challenge' is invalid. Must be between 43 and 128 characters.");
        }

        var request = new AuthorizationRequest(app.ClientId, redirectUri, string.Join(' ', scopes), state,
            q["nonce"] is { Count: > 0 } nonce ? nonce.ToString() : null, challenge.Length > 0 ? challenge : null,
            oidc.Time.GetUtcNow().AddMinutes(10));
        return SignInPage(oidc.Begin(request), error: null);
    }

    private static async Task<IResult> SignInAsync(HttpContext ctx, OidcServer oidc)
    {
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var pendingId = form["request"].ToString();
        var request = oidc.Pending(pendingId);
        if (request is null) return ErrorPage("This sign-in request has expired. Go back to the application and start again.");
        var user = oidc.Authenticate(form["username"].ToString(), form["password"].ToString());
        if (user is null) return SignInPage(pendingId, "Unable to sign in");
        var code = oidc.IssueCode(pendingId, request, user);
        return Results.Redirect($"{request.RedirectUri}?code={code}&state={Uri.EscapeDataString(request.State)}");
    }

    /// <summary>The hosted sign-in widget, reduced to a form (username + password) for tests and demos.</summary>
    private static IResult SignInPage(string pendingId, string? error) => Results.Content(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign In</title></head><body>" +
        "<h1>Okta emulator – Sign In</h1>" +
        (error is null ? "" : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>") +
        "<form method=\"post\" action=\"/oauth2/v1/authorize/login\">" +
        $"<input type=\"hidden\" name=\"request\" value=\"{WebUtility.HtmlEncode(pendingId)}\">" +
        "<label for=\"username\">Username</label><input id=\"username\" name=\"username\" autocomplete=\"username\">" +
        "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">" +
        "<button type=\"submit\">Sign In</button></form></body></html>",
        "text/html; charset=utf-8", statusCode: error is null ? 200 : 401);

    private static IResult ErrorPage(string message) => Results.Content(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p id=\"error-summary\">{WebUtility.HtmlEncode(message)}</p></body></html>",
        "text/html; charset=utf-8", statusCode: 400);
}
