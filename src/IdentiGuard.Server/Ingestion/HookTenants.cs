using System.Security.Cryptography;
using System.Text;
using IdentiGuard.Data;
using IdentiGuard.Server.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace IdentiGuard.Server.Ingestion;

/// <param name="AcceptedSecretDigests">SHA-256 of each secret the hook may present (current, and the previous one during a rotation).</param>
public sealed record HookTenant(Guid TenantId, Guid WorkspaceId, string Name, IReadOnlyList<byte[]> AcceptedSecretDigests);

/// <summary>Finds the tenant a hook URI names and checks the header secret Okta sends, in constant time.</summary>
public sealed class HookTenants(IDbContextFactory<IdentiGuardDbContext> dbFactory, TenantSecrets secrets, TimeProvider time, IMemoryCache cache)
{
    /// <summary>
    /// Deliveries arrive in bursts; the tenant and its decrypted secrets are kept this long, which bounds how long a
    /// deleted tenant's or a replaced secret's deliveries can still be accepted.
    /// </summary>
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private static string CacheKey(Guid tenantId) => $"hook-tenant:{tenantId}";

    public async Task<HookTenant?> FindAsync(Guid tenantId, CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey(tenantId), out HookTenant? cached)) return cached;
        var found = await LoadAsync(tenantId, ct);
        // Unknown tenants are not cached: a tenant created a moment later must be found.
        if (found is not null) cache.Set(CacheKey(tenantId), found, CacheFor);
        return found;
    }

    /// <summary>Drops the cached secrets of a tenant on this host (after a rotation); other hosts follow within <see cref="CacheFor"/>.</summary>
    public void Forget(Guid tenantId) => cache.Remove(CacheKey(tenantId));

    private async Task<HookTenant?> LoadAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The hook path is not a user's: the tenant id in the URI decides the workspace, and the secret authenticates.
        var tenant = await db.Tenants.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.Id == tenantId)
            .Select(t => new { t.Id, t.WorkspaceId, t.Name, t.HookSecretProtected, t.PreviousHookSecretProtected, t.PreviousHookSecretExpiresAt })
            .FirstOrDefaultAsync(ct);
        if (tenant is null) return null;

        var accepted = new List<byte[]> { Digest(secrets.Unprotect(tenant.HookSecretProtected)) };
        if (tenant.PreviousHookSecretProtected is { } previous && tenant.PreviousHookSecretExpiresAt > time.GetUtcNow().UtcDateTime)
            accepted.Add(Digest(secrets.Unprotect(previous)));
        return new HookTenant(tenant.Id, tenant.WorkspaceId, tenant.Name, accepted);
    }

    /// <summary>Compares every accepted secret (no early exit), so timing reveals neither the secret nor which one matched.</summary>
    public static bool IsAuthorized(HookTenant tenant, string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        var candidate = Digest(presented);
        var match = false;
        foreach (var digest in tenant.AcceptedSecretDigests) match |= CryptographicOperations.FixedTimeEquals(digest, candidate);
        return match;
    }

    private static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
