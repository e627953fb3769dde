using System.Collections.Concurrent;
using System.Security.Cryptography;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.Oidc;

/// <summary>An OIDC web app integration: confidential client, authorization code grant, exact login redirect URIs.</summary>
public sealed record OidcApp(string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris, string TokenEndpointAuthMethod, bool RequirePkce);

/// <summary>A person who can sign in through the org authorization server, with the groups the app's groups claim lists.</summary>
public sealed class OidcUser(string id, string login, string name, string password)
{
    public string Id { get; } = id;
    public string Login { get; } = login;
    public string Name { get; set; } = name;
    internal string Password { get; } = password;
    public List<string> Groups { get; } = [];

    /// <summary>The org's sign-on policy makes this user complete MFA: the ID token's <c>amr</c> then lists <c>mfa</c>.</summary>
    public bool MfaAtSignIn { get; set; }
}

internal sealed record AuthorizationRequest(string ClientId, string RedirectUri, string Scope, string State, string? Nonce, string? CodeChallenge, DateTimeOffset ExpiresAt);

internal sealed record AuthorizationCode(AuthorizationRequest Request, string UserId, DateTimeOffset AuthTime, DateTimeOffset ExpiresAt);

/// <summary>
/// Okta's org authorization server (issuer = the org URL): discovery, authorize with a sign-in form, the
/// authorization_code grant with PKCE, RS256-signed ID tokens and their JWKS. Codes live 60 seconds and work once.
/// </summary>
public sealed class OidcServer : IDisposable
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan IdTokenLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, OidcApp> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OidcUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, AuthorizationRequest> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);

    internal OidcServer(TimeProvider time)
    {
        Time = time;
        SigningKey = RSA.Create(2048);
        KeyId = Ids.RandomUrlSafe(43);
    }

    internal TimeProvider Time { get; }
    internal RSA SigningKey { get; }
    internal string KeyId { get; }

    /// <summary>Registers an OIDC web app (Okta: Applications → Create App Integration → OIDC → Web Application).</summary>
    public OidcApp AddApp(IEnumerable<string> redirectUris, string tokenEndpointAuthMethod = "client_secret_post", bool requirePkce = true)
    {
        if (tokenEndpointAuthMethod is not ("client_secret_post" or "client_secret_basic"))
            throw new ArgumentException("Only client_secret_post and client_secret_basic are emulated.", nameof(tokenEndpointAuthMethod));
        var app = new OidcApp(Ids.ClientId(), Ids.ClientSecret(), redirectUris.ToList(), tokenEndpointAuthMethod, requirePkce);
        _apps[app.ClientId] = app;
        return app;
    }

    public OidcUser AddUser(string login, string name, string password, params string[] groups)
    {
        var user = new OidcUser(Ids.UserId(), login, name, password);
        user.Groups.AddRange(groups);
        if (!_users.TryAdd(login, user)) throw new InvalidOperationException($"login: An object with this field already exists in the current organization ({login})");
        return user;
    }

    public OidcUser? FindUser(string login) => _users.TryGetValue(login, out var user) ? user : null;

    /// <summary>Replaces a user's group memberships (as an admin would in the Admin Console).</summary>
    public void SetGroups(string login, params string[] groups)
    {
        var user = FindUser(login) ?? throw new KeyNotFoundException(login);
        lock (user.Groups)
        {
            user.Groups.Clear();
            user.Groups.AddRange(groups);
        }
    }

    internal OidcApp? FindApp(string? clientId) => clientId is not null && _apps.TryGetValue(clientId, out var app) ? app : null;

    internal string Begin(AuthorizationRequest request)
    {
        var id = Ids.RandomUrlSafe(32);
        _pending[id] = request;
        return id;
    }

    internal AuthorizationRequest? Pending(string? id)
        => id is not null && _pending.TryGetValue(id, out var request) && Time.GetUtcNow() < request.ExpiresAt ? request : null;

    /// <returns>The user when the credentials are right, else null.</returns>
    internal OidcUser? Authenticate(string login, string password)
        => FindUser(login) is { } user && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(user.Password), System.Text.Encoding.UTF8.GetBytes(password)) ? user : null;

    internal string IssueCode(string pendingId, AuthorizationRequest request, OidcUser user)
    {
        _pending.TryRemove(pendingId, out _);
        var code = Ids.RandomUrlSafe(43);
        var now = Time.GetUtcNow();
        _codes[code] = new AuthorizationCode(request, user.Id, now, now + CodeLifetime);
        return code;
    }

    /// <summary>Removes the code whatever the outcome: a code is presented once.</summary>
    internal AuthorizationCode? Redeem(string code)
        => _codes.TryRemove(code, out var issued) && Time.GetUtcNow() < issued.ExpiresAt ? issued : null;

    internal OidcUser? FindUserById(string id) => _users.Values.FirstOrDefault(u => u.Id == id);

    public void Dispose() => SigningKey.Dispose();
}
