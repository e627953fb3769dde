using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace IdentiGuard.Server.Okta;

/// <summary>
/// Client-credentials tokens from the org authorization server (<c>client_secret_basic</c>, the only method Okta allows
/// for API service integrations), cached per tenant and credentials and renewed a minute before expiry.
/// </summary>
public sealed class OktaTokenClient(OktaHttp http, TimeProvider time)
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, CachedToken> cache = new();

    private sealed record CachedToken(string AccessToken, DateTimeOffset ExpiresAt, IReadOnlyList<string> Scopes);

    private sealed record TokenResponse(
        [property: JsonPropertyName("token_type")] string? TokenType,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("scope")] string? Scope);

    /// <summary>Gets a bearer token and records the granted scopes on the session.</summary>
    public async Task<string> GetTokenAsync(OktaSession session, CancellationToken ct)
    {
        var key = CacheKey(session.Credentials);
        if (cache.TryGetValue(key, out var cached) && cached.ExpiresAt - RenewBefore > time.GetUtcNow())
        {
            session.GrantedScopes = cached.Scopes;
            return cached.AccessToken;
        }

        var credentials = session.Credentials;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{credentials.Domain}/oauth2/v1/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", string.Join(' ', OktaScopes.All))]),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // RFC 6749 §2.3.1: client id and secret are form-encoded before they are joined with ':' and base64-encoded, so
        // a secret with ':', '+', '%' or a space reaches Okta unchanged.
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WebUtility.UrlEncode(credentials.ClientId)}:{WebUtility.UrlEncode(credentials.ClientSecret)}")));

        using var response = await http.SendAsync(session, request, ct);
        var token = await OktaHttp.ReadAsync<TokenResponse>(response, ct);
        if (!string.Equals(token.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(token.AccessToken))
            throw new OktaApiException(200, "unsupported_token_type",
                $"Okta issued a {token.TokenType} token. Turn off \"Require Demonstrating Proof of Possession (DPoP)\" for the IdentiGuard integration.", [], null);

        var scopes = (token.Scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        session.GrantedScopes = scopes;
        cache[key] = new CachedToken(token.AccessToken, time.GetUtcNow().AddSeconds(Math.Max(token.ExpiresIn, 60)), scopes);
        return token.AccessToken;
    }

    /// <summary>Forget a tenant's token (credentials changed, or Okta said the token is no longer valid).</summary>
    public void Invalidate(OktaCredentials credentials) => cache.TryRemove(CacheKey(credentials), out _);

    private static string CacheKey(OktaCredentials c)
        => $"{c.TenantId}|{c.Domain}|{c.ClientId}|{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(c.ClientSecret)))}";
}
