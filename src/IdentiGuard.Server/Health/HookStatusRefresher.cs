using IdentiGuard.Data;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Tenants;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Health;

/// <summary>
/// Reads the tenant's event hooks from Okta and stores their status and verification, so a hook an Okta admin
/// deactivated (or deleted) shows up in the tenant's health. Okta calls are logged to the activity log only when one failed.
/// </summary>
public sealed partial class HookStatusRefresher(
    IDbContextFactory<IdentiGuardDbContext> dbFactory, EventHooksApi hooksApi, TenantSecrets secrets, ActivityLog activity, TimeProvider time,
    ILogger<HookStatusRefresher> logger)
{
    public const string Deleted = "DELETED";

    public async Task RefreshAsync(Guid tenantId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.IgnoreQueryFilters().Include(t => t.Hooks).FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null || tenant.Hooks.Count == 0) return;
        var session = new OktaSession(new OktaCredentials(tenant.Id, tenant.DomainUrl, tenant.ClientId, secrets.Unprotect(tenant.ClientSecretProtected)));
        try
        {
            var remote = (await hooksApi.ListAsync(session, ct)).Where(h => h.Id is not null).ToDictionary(h => h.Id!, StringComparer.Ordinal);
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var hook in tenant.Hooks)
            {
                var (status, verification) = remote.TryGetValue(hook.OktaHookId, out var r)
                    ? (r.Status ?? hook.Status, r.VerificationStatus ?? hook.VerificationStatus)
                    : (Deleted, hook.VerificationStatus);
                if (status == hook.Status && verification == hook.VerificationStatus) continue;
                hook.Status = status;
                hook.VerificationStatus = verification;
                hook.UpdatedAt = now;
            }
            await db.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Okta unreachable or credentials rejected: the stored status stays; the failure is in the activity log.
            RefreshFailed(logger, ex, tenantId);
        }
        if (session.Calls.Any(c => c.Status is null or >= 400))
            await activity.WriteOktaCallsAsync(tenant.WorkspaceId, tenant.Id, session, "IdentiGuard health check", CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the event hooks of tenant {TenantId}")]
    private static partial void RefreshFailed(ILogger logger, Exception ex, Guid tenantId);
}
