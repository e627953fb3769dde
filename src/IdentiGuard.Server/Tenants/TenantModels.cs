using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Polling;

namespace IdentiGuard.Server.Tenants;

/// <summary>What the tenant form and the API accept. A blank <see cref="ClientSecret"/> on edit keeps the stored one.</summary>
public sealed record TenantInput(string? Name, string? DomainUrl, string? ClientId, string? ClientSecret, IReadOnlyList<string>? EventTypes);

public sealed record TenantHookView(string OktaHookId, string Name, int EventTypeCount, string Status, string VerificationStatus);

/// <summary>A tenant as shown to users. The client secret is write-only: only whether one is stored.</summary>
public sealed record TenantView(
    Guid Id, string Name, string DomainUrl, string ClientId, bool HasClientSecret, IReadOnlyList<string> EventTypes,
    TenantStatus Status, string? StatusDetail, IReadOnlyList<string> GrantedScopes, string HookUri,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? LastDeliveryAt, IReadOnlyList<TenantHookView> Hooks, PollingView? Polling = null);

public sealed record TenantSaveResult(TenantView? Tenant, IReadOnlyDictionary<string, string[]>? Errors, IReadOnlyList<string> Notices)
{
    public static TenantSaveResult Invalid(string field, string message) => new(null, new Dictionary<string, string[]> { [field] = [message] }, []);
}

public sealed record TenantDeleteResult(bool Found, bool HooksRemoved, string Detail);
