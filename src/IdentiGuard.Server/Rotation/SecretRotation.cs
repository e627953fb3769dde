using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Ingestion;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Rotation;

/// <summary>Section <c>IdentiGuard:Rotation</c>.</summary>
public sealed class RotationOptions
{
    public const string Section = "IdentiGuard:Rotation";

    /// <summary>
    /// How long the previous hook secret stays accepted after a rotation: Okta may still retry a delivery signed with
    /// it, and other hosts cache secrets for a few seconds. Retiring it earlier is an explicit action.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan HookSecretOverlap { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed record HookSecretRotation(bool Rotated, TenantStatus Status, string Detail, DateTime? PreviousAcceptedUntil);

public sealed record ClientSecretRotation(bool Replaced, string Detail);

/// <summary>
/// Secret rotation for a tenant, without losing a delivery:
/// the hook secret is replaced, the new one pushed to Okta (PUT, which makes Okta re-verify the hook) while the old
/// one stays accepted for <see cref="RotationOptions.HookSecretOverlap"/>, then retired; a new Okta client secret
/// replaces the stored one only after a token request with it succeeds and grants the required scopes. Whatever the
/// hook misses in between, the System Log poller collects. Every step is in the activity log (never a secret: only
/// a short SHA-256 fingerprint).
/// </summary>
public sealed class SecretRotation(
    IDbContextFactory<IdentiGuardDbContext> dbFactory, TenantService tenants, TenantSecrets secrets, HookTenants hookTenants,
    OktaTokenClient tokens, ActivityLog activity, IOptions<RotationOptions> options, TimeProvider time)
{
    public async Task<HookSecretRotation?> RotateHookSecretAsync(Guid tenantId, string actor, string? actorIp, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var acceptedUntil = now + options.Value.HookSecretOverlap;
        string oldFingerprint, newFingerprint;
        Guid workspaceId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
            if (tenant is null) return null;
            workspaceId = tenant.WorkspaceId;
            var fresh = TenantSecrets.NewHookSecret();
            oldFingerprint = Fingerprint(secrets.Unprotect(tenant.HookSecretProtected));
            newFingerprint = Fingerprint(fresh);
            // Both are accepted from this commit on: Okta keeps sending the old one until it has the new one.
            tenant.PreviousHookSecretProtected = tenant.HookSecretProtected;
            tenant.PreviousHookSecretExpiresAt = acceptedUntil;
            tenant.HookSecretProtected = secrets.Protect(fresh);
            db.Activity.Add(activity.Entry(workspaceId, tenantId, "tenant.hook_secret.rotating", ActivityOutcome.Info,
                $"Event hook secret rotation started: the new secret {newFingerprint} is accepted now, the old one {oldFingerprint} until {acceptedUntil:yyyy-MM-dd HH:mm:ss} UTC.",
                actor, actorIp, null, null,
                before: JsonSerializer.Serialize(new { current = oldFingerprint }),
                after: JsonSerializer.Serialize(new { current = newFingerprint, previous = oldFingerprint, previousAcceptedUntil = acceptedUntil })));
            await db.SaveChangesAsync(ct);
        }
        hookTenants.Forget(tenantId);

        // Pushes the new secret with PUT /api/v1/eventHooks/{id}; Okta marks the hook unverified and IdentiGuard verifies it again.
        var pushed = await tenants.RetryAsync(tenantId, actor, ct);
        if (pushed?.Tenant is { Status: TenantStatus.Connected } connected)
        {
            await activity.WriteAsync(workspaceId, tenantId, "tenant.hook_secret.rotated", ActivityOutcome.Success,
                $"Okta has the new event hook secret {newFingerprint} and re-verified the hook; the old one is accepted until {acceptedUntil:yyyy-MM-dd HH:mm:ss} UTC.",
                actor, actorIp, ct: ct);
            return new HookSecretRotation(true, connected.Status, connected.StatusDetail ?? "", acceptedUntil);
        }

        // Okta may still hold the old secret: make it current again, keep the new one accepted in case a hook got it.
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var tenant = await db.Tenants.FirstAsync(t => t.Id == tenantId, ct);
            (tenant.HookSecretProtected, tenant.PreviousHookSecretProtected) = (tenant.PreviousHookSecretProtected!, tenant.HookSecretProtected);
            db.Activity.Add(activity.Entry(workspaceId, tenantId, "tenant.hook_secret.rotated", ActivityOutcome.Failure,
                $"Okta did not take the new event hook secret ({pushed?.Tenant?.StatusDetail}); the old secret {oldFingerprint} is current again.", actor, actorIp, null, null,
                before: JsonSerializer.Serialize(new { current = newFingerprint }), after: JsonSerializer.Serialize(new { current = oldFingerprint, previous = newFingerprint })));
            await db.SaveChangesAsync(ct);
        }
        hookTenants.Forget(tenantId);
        return new HookSecretRotation(false, pushed?.Tenant?.Status ?? TenantStatus.OktaError, pushed?.Tenant?.StatusDetail ?? "The tenant could not be reconnected.", null);
    }

    /// <summary>Stops accepting the previous hook secret now (instead of at the end of the overlap).</summary>
    public async Task<bool> RetirePreviousHookSecretAsync(Guid tenantId, string actor, string? actorIp, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null) return false;
        var previous = tenant.PreviousHookSecretProtected is { } p ? Fingerprint(secrets.Unprotect(p)) : null;
        tenant.PreviousHookSecretProtected = null;
        tenant.PreviousHookSecretExpiresAt = null;
        db.Activity.Add(activity.Entry(tenant.WorkspaceId, tenantId, "tenant.hook_secret.retired", ActivityOutcome.Success,
            previous is null ? "No previous event hook secret was accepted." : $"The previous event hook secret {previous} is no longer accepted.", actor, actorIp, null, null,
            before: JsonSerializer.Serialize(new { previous }), after: JsonSerializer.Serialize(new { previous = (string?)null })));
        await db.SaveChangesAsync(ct);
        hookTenants.Forget(tenantId);
        return true;
    }

    public async Task<ClientSecretRotation?> RotateClientSecretAsync(Guid tenantId, string? newSecret, string actor, string? actorIp, CancellationToken ct = default)
    {
        newSecret = newSecret?.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null) return null;
        if (string.IsNullOrEmpty(newSecret) || newSecret.Length > 500 || newSecret.Any(char.IsWhiteSpace))
            return new ClientSecretRotation(false, "Paste the new Client Secret generated for the IdentiGuard integration in Okta.");

        var oldCredentials = new OktaCredentials(tenant.Id, tenant.DomainUrl, tenant.ClientId, secrets.Unprotect(tenant.ClientSecretProtected));
        var candidate = oldCredentials with { ClientSecret = newSecret };
        var session = new OktaSession(candidate);
        string? refusal = null;
        try
        {
            await tokens.GetTokenAsync(session, ct);
            var missing = OktaScopes.Required.Where(s => !OktaScopes.IsGranted(session.GrantedScopes, s)).ToList();
            if (missing.Count > 0) refusal = $"Okta accepted the new secret but did not grant {string.Join(" and ", missing)}.";
        }
        catch (OktaApiException ex)
        {
            tokens.Invalidate(candidate);
            refusal = $"Okta rejected the new secret ({ex.ErrorCode}: {ex.Summary}).";
        }
        catch (OktaUnreachableException ex)
        {
            refusal = $"Okta could not be reached to test the new secret ({ex.Reason}).";
        }
        await activity.WriteOktaCallsAsync(tenant.WorkspaceId, tenant.Id, session, actor, ct);

        var before = JsonSerializer.Serialize(new { clientSecret = Fingerprint(oldCredentials.ClientSecret) });
        if (refusal is not null)
        {
            await activity.WriteAsync(tenant.WorkspaceId, tenant.Id, "tenant.client_secret.rotated", ActivityOutcome.Failure,
                $"The new Okta client secret was not stored: {refusal} The current one stays in use.", actor, actorIp, ct: ct, before: before, after: before);
            return new ClientSecretRotation(false, refusal + " The current secret stays in use.");
        }

        tenant.ClientSecretProtected = secrets.Protect(newSecret);
        tenant.UpdatedAt = time.GetUtcNow().UtcDateTime;
        db.Activity.Add(activity.Entry(tenant.WorkspaceId, tenant.Id, "tenant.client_secret.rotated", ActivityOutcome.Success,
            "The new Okta client secret passed a token request and replaced the old one; deactivate the old secret in Okta.", actor, actorIp, null, null,
            before: before, after: JsonSerializer.Serialize(new { clientSecret = Fingerprint(newSecret) })));
        await db.SaveChangesAsync(ct);
        tokens.Invalidate(oldCredentials);
        return new ClientSecretRotation(true, "The new client secret works and is now in use. Deactivate the old one in Okta.");
    }

    /// <summary>Identifies a secret in the activity log without revealing it.</summary>
    public static string Fingerprint(string secret) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..12];
}
