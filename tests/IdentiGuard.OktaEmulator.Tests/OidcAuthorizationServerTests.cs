using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentiGuard.OktaEmulator.Oidc;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class OidcAuthorizationServerTests
{
    private const string RedirectUri = "http://127.0.0.1:5999/signin-oidc";
    private const string Verifier = "a-pkce-verifier-that-is-long-enough-for-rfc-7636-0123456789";

    [Fact]
    public async Task Discovery_describes_the_org_authorization_server()
    {
        await using var org = await TestOrg.StartAsync();
        var doc = JsonNode.Parse(await org.Http.GetStringAsync("/.well-known/openid-configuration"))!;

        Assert.Equal(org.Emulator.BaseUrl, doc["issuer"]!.GetValue<string>());
        Assert.Equal($"{org.Emulator.BaseUrl}/oauth2/v1/authorize", doc["authorization_endpoint"]!.GetValue<string>());
        Assert.Equal($"{org.Emulator.BaseUrl}/oauth2/v1/token", doc["token_endpoint"]!.GetValue<string>());
        Assert.Equal($"{org.Emulator.BaseUrl}/oauth2/v1/keys", doc["jwks_uri"]!.GetValue<string>());
        Assert.Contains("S256", doc["code_challenge_methods_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task Code_flow_with_PKCE_issues_a_signed_id_token_with_the_users_claims_and_groups()
    {
        await using var org = await TestOrg.StartAsync();
        var app = org.Emulator.Oidc.AddApp([RedirectUri]);
        var user = org.Emulator.Oidc.AddUser("ada@example.com", "Ada Lovelace", "ada password", "IdentiGuard Analysts", "Everyone");

        var code = await SignInAsync(org, app, "ada@example.com", "ada password", state: "st-1", nonce: "n-123");
        using var token = await RedeemAsync(org, app, code, Verifier);
        var body = (await TestOrg.Json(token))!;

        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        var claims = await VerifiedPayloadAsync(org, body["id_token"]!.GetValue<string>());
        Assert.Equal(user.Id, claims["sub"]!.GetValue<string>());
        Assert.Equal(org.Emulator.BaseUrl, claims["iss"]!.GetValue<string>());
        Assert.Equal(app.ClientId, claims["aud"]!.GetValue<string>());
        Assert.Equal("n-123", claims["nonce"]!.GetValue<string>());
        Assert.Equal("ada@example.com", claims["email"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", claims["name"]!.GetValue<string>());
        Assert.Equal(["IdentiGuard Analysts", "Everyone"], claims["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal(["pwd"], claims["amr"]!.AsArray().Select(g => g!.GetValue<string>()));
    }

    [Fact]
    public async Task A_code_works_once_and_only_with_the_right_verifier()
    {
        await using var org = await TestOrg.StartAsync();
        var app = org.Emulator.Oidc.AddApp([RedirectUri]);
        org.Emulator.Oidc.AddUser("bob@example.com", "Bob", "bob password");

        var code = await SignInAsync(org, app, "bob@example.com", "bob password");
        using var wrongVerifier = await RedeemAsync(org, app, code, Verifier + "x");
        Assert.Equal(HttpStatusCode.BadRequest, wrongVerifier.StatusCode);
        Assert.Equal("PKCE verification failed.", (await TestOrg.Json(wrongVerifier))!["error_description"]!.GetValue<string>());
        // The failed attempt consumed the code, as at Okta.
        using var replay = await RedeemAsync(org, app, code, Verifier);
        Assert.Equal("invalid_grant", (await TestOrg.Json(replay))!["error"]!.GetValue<string>());

        var second = await SignInAsync(org, app, "bob@example.com", "bob password");
        using var ok = await RedeemAsync(org, app, second, Verifier);
        using var again = await RedeemAsync(org, app, second, Verifier);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("The authorization code is invalid or has expired.", (await TestOrg.Json(again))!["error_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Authorize_refuses_unregistered_redirect_uris_with_an_error_page_and_a_missing_challenge_by_redirect()
    {
        await using var org = await TestOrg.StartAsync();
        var app = org.Emulator.Oidc.AddApp([RedirectUri]);
        using var client = NoRedirects(org);

        using var foreign = await client.GetAsync(AuthorizeUrl(app, "https://attacker.example/cb", "s", Challenge(Verifier)));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Null(foreign.Headers.Location);

        using var noPkce = await client.GetAsync(AuthorizeUrl(app, RedirectUri, "s2", challenge: null));
        Assert.Equal(HttpStatusCode.Redirect, noPkce.StatusCode);
        Assert.StartsWith(RedirectUri + "?error=invalid_request", noPkce.Headers.Location!.ToString());
        Assert.Contains("state=s2", noPkce.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Wrong_password_shows_the_form_again_and_issues_no_code()
    {
        await using var org = await TestOrg.StartAsync();
        var app = org.Emulator.Oidc.AddApp([RedirectUri]);
        org.Emulator.Oidc.AddUser("eve@example.com", "Eve", "right password");
        using var client = NoRedirects(org);
        var page = await client.GetStringAsync(AuthorizeUrl(app, RedirectUri, "s", Challenge(Verifier)));

        using var post = await client.PostAsync("/oauth2/v1/authorize/login", SignInForm(page, "eve@example.com", "wrong password"));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Null(post.Headers.Location);
    }

    [Fact]
    public async Task Mfa_at_sign_in_is_reported_in_amr_and_api_service_clients_still_cannot_use_the_code_grant()
    {
        await using var org = await TestOrg.StartAsync();
        var app = org.Emulator.Oidc.AddApp([RedirectUri], tokenEndpointAuthMethod: "client_secret_basic");
        org.Emulator.Oidc.AddUser("max@example.com", "Max", "max password").MfaAtSignIn = true;

        var code = await SignInAsync(org, app, "max@example.com", "max password");
        using var post = await RedeemAsync(org, app, code, Verifier);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode); // the app authenticates with client_secret_basic only
        code = await SignInAsync(org, app, "max@example.com", "max password");
        using var basic = await RedeemAsync(org, app, code, Verifier, basic: true);
        var claims = await VerifiedPayloadAsync(org, (await TestOrg.Json(basic))!["id_token"]!.GetValue<string>());
        Assert.Contains("mfa", claims["amr"]!.AsArray().Select(a => a!.GetValue<string>()));

        using var service = await org.RequestTokenAsync(null, grantType: "authorization_code");
        Assert.Equal("unauthorized_client", (await TestOrg.Json(service))!["error"]!.GetValue<string>());
    }

    private static HttpClient NoRedirects(TestOrg org) => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(org.Emulator.BaseUrl) };

    private static string Challenge(string verifier) => System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string AuthorizeUrl(OidcApp app, string redirectUri, string state, string? challenge, string? nonce = null)
        => $"/oauth2/v1/authorize?client_id={app.ClientId}&response_type=code&scope=openid%20profile%20email%20groups" +
           $"&redirect_uri={Uri.EscapeDataString(redirectUri)}&state={state}" +
           (challenge is null ? "" : $"&code_challenge={challenge}&code_challenge_method=S256") + (nonce is null ? "" : $"&nonce={nonce}");

    private static FormUrlEncodedContent SignInForm(string page, string username, string password) => new(new Dictionary<string, string>
    {
        ["request"] = WebUtility.HtmlDecode(Regex.Match(page, "name=\"request\" value=\"([^\"]+)\"").Groups[1].Value),
        ["username"] = username, ["password"] = password,
    });

    /// <summary>Authorize, then the sign-in form, as a browser would; returns the code from the redirect.</summary>
    private static async Task<string> SignInAsync(TestOrg org, OidcApp app, string username, string password, string state = "state-1", string? nonce = null)
    {
        using var client = NoRedirects(org);
        var page = await client.GetStringAsync(AuthorizeUrl(app, RedirectUri, state, Challenge(Verifier), nonce));
        using var post = await client.PostAsync("/oauth2/v1/authorize/login", SignInForm(page, username, password));
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var location = post.Headers.Location!.ToString();
        Assert.StartsWith(RedirectUri + "?code=", location);
        Assert.EndsWith("&state=" + state, location);
        return Regex.Match(location, "code=([^&]+)").Groups[1].Value;
    }

    private static async Task<HttpResponseMessage> RedeemAsync(TestOrg org, OidcApp app, string code, string verifier, bool basic = false)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier };
        if (!basic)
        {
            form["client_id"] = app.ClientId;
            form["client_secret"] = app.ClientSecret;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/v1/token") { Content = new FormUrlEncodedContent(form) };
        if (basic) request.Headers.Authorization = TestOrg.Basic(app.ClientId, app.ClientSecret);
        return await org.Http.SendAsync(request);
    }

    /// <summary>Checks the RS256 signature against the published JWKS and returns the payload.</summary>
    private static async Task<JsonNode> VerifiedPayloadAsync(TestOrg org, string jwt)
    {
        var parts = jwt.Split('.');
        var header = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]))!;
        var keys = JsonNode.Parse(await org.Http.GetStringAsync("/oauth2/v1/keys"))!["keys"]!.AsArray();
        var jwk = keys.Single(k => k!["kid"]!.GetValue<string>() == header["kid"]!.GetValue<string>())!;
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = System.Buffers.Text.Base64Url.DecodeFromChars(jwk["n"]!.GetValue<string>()),
            Exponent = System.Buffers.Text.Base64Url.DecodeFromChars(jwk["e"]!.GetValue<string>()),
        });
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), "The ID token signature does not verify against the JWKS.");
        return JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!;
    }
}
