using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.Tokens;

internal sealed record IssuedToken(string ClientId, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

/// <summary>Issues JWT-looking opaque access tokens (1 h) and resolves them.</summary>
internal sealed class TokenStore(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);

    public string Issue(string issuer, string clientId, IReadOnlyList<string> scopes)
    {
        var now = time.GetUtcNow();
        var header = new JsonObject { ["kid"] = "emulator-" + Ids.Random(8), ["alg"] = "RS256" };
        var scp = new JsonArray();
        foreach (var s in scopes) scp.Add(s);
        var payload = new JsonObject
        {
            ["ver"] = 1,
            ["jti"] = "AT." + Ids.RandomUrlSafe(43),
            ["iss"] = issuer,
            ["aud"] = issuer,
            ["sub"] = clientId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(Lifetime).ToUnixTimeSeconds(),
            ["cid"] = clientId,
            ["scp"] = scp,
        };
        var token = B64(header.ToJsonString()) + "." + B64(payload.ToJsonString()) + "." + Ids.RandomUrlSafe(342);
        _tokens[token] = new IssuedToken(clientId, scopes, now.Add(Lifetime));
        return token;
    }

    public IssuedToken? Resolve(string token) =>
        _tokens.TryGetValue(token, out var t) && time.GetUtcNow() < t.ExpiresAt ? t : null;

    public void RevokeAllFor(string clientId)
    {
        foreach (var (k, v) in _tokens)
            if (v.ClientId == clientId) _tokens.TryRemove(k, out _);
    }

    private static string B64(string s) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
