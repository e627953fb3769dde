using System.Text.Json.Nodes;

namespace IdentiGuard.OktaEmulator;

/// <summary>An installed API service integration instance (client credentials).</summary>
public sealed class EmulatedClient
{
    internal EmulatedClient(string clientId, string clientSecret, string name, IReadOnlyList<string> grantedScopes)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        Name = name;
        GrantedScopes = grantedScopes;
    }

    public string ClientId { get; }
    public string ClientSecret { get; }

    /// <summary>
    /// Secrets generated later by rotation (the API Service Integrations API keeps two active at once); each is valid
    /// alongside <see cref="ClientSecret"/> until deactivated.
    /// </summary>
    internal List<string> RotatedSecrets { get; } = [];

    /// <summary>Secrets deactivated by rotation: no longer accepted (the first one included).</summary>
    internal HashSet<string> DeactivatedSecrets { get; } = [];

    internal bool Accepts(string secret, Func<string, string, bool> equals)
        => RotatedSecrets.Prepend(ClientSecret).Where(s => !DeactivatedSecrets.Contains(s)).Aggregate(false, (match, s) => match | equals(s, secret));

    public string Name { get; }
    public IReadOnlyList<string> GrantedScopes { get; }
    public bool Revoked { get; internal set; }
}

/// <summary>Test view of an event hook (includes the write-only auth secret).</summary>
public sealed record EventHookSnapshot(
    string Id,
    string Name,
    string? Description,
    string Status,
    string VerificationStatus,
    string Uri,
    string? AuthSchemeKey,
    string? AuthSchemeValue,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<string> EventTypes,
    DateTimeOffset Created,
    DateTimeOffset LastUpdated);

public enum DeliveryKind { Verification, Delivery, Preview }

/// <summary>One outbound HTTP attempt (or a fault-injected drop).</summary>
public sealed record DeliveryAttempt(
    string HookId,
    DeliveryKind Kind,
    int Attempt,
    int? StatusCode,
    string? Error,
    TimeSpan Duration,
    IReadOnlyList<string> EventUuids,
    string? EventId,
    DateTimeOffset At,
    bool Dropped = false)
{
    public bool Succeeded => StatusCode is >= 200 and < 300 && Error is null && !Dropped;
}

/// <summary>Outcome of a preview "Deliver Request".</summary>
public sealed record DeliveryResult(bool Success, int? StatusCode, string? Error, TimeSpan Duration, string RequestBody);

/// <summary>A request the emulator served.</summary>
public sealed record RecordedRequest(
    string Method,
    string PathAndQuery,
    int StatusCode,
    string RequestId,
    string? ClientId,
    DateTimeOffset At);

/// <summary>A user of the emulated org.</summary>
public sealed class OktaUser
{
    internal OktaUser(string id, string login, string firstName, string lastName, DateTimeOffset created)
    {
        Id = id;
        Login = login;
        FirstName = firstName;
        LastName = lastName;
        Created = created;
        StatusChanged = created;
        LastUpdated = created;
    }

    public string Id { get; }
    public string Login { get; }
    public string FirstName { get; }
    public string LastName { get; }
    public string Email => Login;
    /// <summary>ACTIVE, SUSPENDED, LOCKED_OUT, PASSWORD_EXPIRED, DEPROVISIONED, …</summary>
    public string Status { get; internal set; } = "ACTIVE";
    public DateTimeOffset Created { get; }
    public DateTimeOffset StatusChanged { get; internal set; }
    public DateTimeOffset LastUpdated { get; internal set; }
    public DateTimeOffset? PasswordChanged { get; internal set; }
    public int FactorResets { get; internal set; }
    public int SessionClears { get; internal set; }
    public bool? LastSessionClearOAuthTokens { get; internal set; }
    public bool? LastSessionClearForgetDevices { get; internal set; }

    internal JsonObject ToJson(string baseUrl) => new()
    {
        ["id"] = Id,
        ["status"] = Status,
        ["created"] = Infrastructure.OktaJson.Timestamp(Created),
        ["activated"] = Infrastructure.OktaJson.Timestamp(Created),
        ["statusChanged"] = Infrastructure.OktaJson.Timestamp(StatusChanged),
        ["lastLogin"] = null,
        ["lastUpdated"] = Infrastructure.OktaJson.Timestamp(LastUpdated),
        ["passwordChanged"] = PasswordChanged is { } p ? Infrastructure.OktaJson.Timestamp(p) : null,
        ["type"] = new JsonObject { ["id"] = "oty1emulatortype0000" },
        ["profile"] = new JsonObject
        {
            ["firstName"] = FirstName,
            ["lastName"] = LastName,
            ["mobilePhone"] = null,
            ["secondEmail"] = null,
            ["login"] = Login,
            ["email"] = Email,
        },
        ["credentials"] = new JsonObject
        {
            ["password"] = new JsonObject(),
            ["provider"] = new JsonObject { ["type"] = "OKTA", ["name"] = "OKTA" },
        },
        ["_links"] = new JsonObject
        {
            ["self"] = new JsonObject { ["href"] = $"{baseUrl}/api/v1/users/{Id}" },
        },
    };
}
