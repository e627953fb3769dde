using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.Oidc;

/// <summary>RS256 ID tokens with the org authorization server's claims (Okta's <c>ver</c> 1 layout).</summary>
internal static class IdTokens
{
    public static string Create(OidcServer oidc, string issuer, AuthorizationCode code, OidcUser user)
    {
        var now = oidc.Time.GetUtcNow();
        var scopes = code.Request.Scope.Split(' ');
        var amr = new JsonArray("pwd");
        if (user.MfaAtSignIn) { amr.Add("mfa"); amr.Add("otp"); }
        var payload = new JsonObject
        {
            ["sub"] = user.Id,
            ["ver"] = 1,
            ["iss"] = issuer,
            ["aud"] = code.Request.ClientId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(OidcServer.IdTokenLifetime).ToUnixTimeSeconds(),
            ["jti"] = "ID." + Ids.RandomUrlSafe(43),
            ["amr"] = amr,
            ["idp"] = "00o" + Ids.Random(17),
            ["auth_time"] = code.AuthTime.ToUnixTimeSeconds(),
        };
        if (code.Request.Nonce is { } nonce) payload["nonce"] = nonce;
        if (scopes.Contains("profile"))
        {
            payload["name"] = user.Name;
            payload["preferred_username"] = user.Login;
        }
        if (scopes.Contains("email"))
        {
            payload["email"] = user.Login;
            payload["email_verified"] = true;
        }
        if (scopes.Contains("groups"))
        {
            lock (user.Groups) payload["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g).ToArray());
        }
        return Sign(oidc, payload);
    }

    private static string Sign(OidcServer oidc, JsonObject payload)
    {
        var header = new JsonObject { ["kid"] = oidc.KeyId, ["alg"] = "RS256" };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = oidc.SigningKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    public static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
