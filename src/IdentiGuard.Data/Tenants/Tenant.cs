using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Tenants;

public enum TenantStatus
{
    Connecting = 0,
    Connected = 1,
    VerificationFailed = 2,
    CredentialsRejected = 3,
    MissingScope = 4,
    OktaUnreachable = 5,
    OktaError = 6,
    Deleting = 7,
}

/// <summary>An Okta org connected to a workspace through the IdentiGuard API service integration.</summary>
public sealed class Tenant : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Name { get; set; }
    /// <summary>Normalised origin, e.g. <c>https://acme.okta.com</c>.</summary>
    public required string DomainUrl { get; set; }
    public required string ClientId { get; set; }
    /// <summary>Client secret protected with ASP.NET Data Protection; never returned.</summary>
    public required string ClientSecretProtected { get; set; }
    /// <summary>Event hook header secret, protected (not hashed: Okta's PUT replaces the whole hook, so it must be re-sent).</summary>
    public required string HookSecretProtected { get; set; }
    /// <summary>The previous hook secret, still accepted while a rotation settles.</summary>
    public string? PreviousHookSecretProtected { get; set; }
    public DateTime? PreviousHookSecretExpiresAt { get; set; }
    /// <summary>Monitored event types, stored as a JSON array.</summary>
    public List<string> EventTypes { get; set; } = [];
    public TenantStatus Status { get; set; }
    /// <summary>What the status means and what to do, in words an Okta admin understands.</summary>
    public string? StatusDetail { get; set; }
    /// <summary>Space-separated scopes granted in the last token response.</summary>
    public string? GrantedScopes { get; set; }
    /// <summary>The public base URL the hooks were last pointed at; a change re-points them.</summary>
    public string? HookBaseUrl { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastDeliveryAt { get; set; }
    /// <summary>Highest stored event id the tenant's grain has processed into alerts.</summary>
    public long ProcessedEventCursor { get; set; }
    public List<TenantHook> Hooks { get; set; } = [];
}
