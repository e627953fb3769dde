using System.Text;
using System.Text.RegularExpressions;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Server.Tenants;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Support;

/// <summary>
/// A tenant's state for a support request: status, hooks, granted scopes and recent errors with Okta request ids.
/// Built only from fields that hold no secret, then passed through <see cref="Redact"/> as a second guard.
/// </summary>
public sealed partial class DiagnosticSummary(TenantService tenants, IDbContextFactory<IdentiGuardDbContext> dbFactory)
{
    public async Task<string?> BuildAsync(Guid tenantId, CancellationToken ct)
    {
        var tenant = await tenants.GetAsync(tenantId, ct);
        if (tenant is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var errors = await db.Activity.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.Outcome == ActivityOutcome.Failure)
            .OrderByDescending(a => a.Id).Take(20)
            .Select(a => new { a.At, a.Action, a.Message, a.OktaRequestId, a.OktaErrorCode })
            .ToListAsync(ct);

        var text = new StringBuilder()
            .AppendLine($"Tenant: {tenant.Name}")
            .AppendLine($"Okta domain: {tenant.DomainUrl}")
            .AppendLine($"Client ID: {tenant.ClientId}")
            .AppendLine("Client Secret: [redacted]")
            .AppendLine($"Status: {TenantService.StatusLabel(tenant.Status)} — {tenant.StatusDetail}")
            .AppendLine($"Granted scopes: {(tenant.GrantedScopes.Count == 0 ? "(none recorded)" : string.Join(' ', tenant.GrantedScopes))}")
            .AppendLine($"Event hook URI: {tenant.HookUri}")
            .AppendLine($"Monitored event types: {tenant.EventTypes.Count}")
            .AppendLine($"Last delivery: {tenant.LastDeliveryAt?.ToString("u") ?? "never"}");
        foreach (var hook in tenant.Hooks)
            text.AppendLine($"Hook {hook.OktaHookId} \"{hook.Name}\": {hook.Status}, {hook.VerificationStatus}, {hook.EventTypeCount} types");
        text.AppendLine(errors.Count == 0 ? "Recent errors: none" : "Recent errors:");
        foreach (var e in errors)
            text.AppendLine($"  {e.At:u} {e.Action} {e.OktaErrorCode} {(e.OktaRequestId is null ? "" : $"[request {e.OktaRequestId}]")} {e.Message}");
        return Redact(text.ToString());
    }

    /// <summary>Masks anything shaped like a credential: bearer tokens, basic credentials, secrets and passwords in key=value form.</summary>
    public static string Redact(string text)
    {
        text = BearerToken().Replace(text, "$1 [redacted]");
        text = SecretAssignment().Replace(text, "$1$2[redacted]");
        return text;
    }

    [GeneratedRegex(@"\b(Bearer|Basic|SSWS)\s+[A-Za-z0-9\-._~+/=]{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"\b(client_secret|secret|password|access_token|token|authorization)(\s*[=:]\s*)(?!\[redacted\])[^\s,;""]+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretAssignment();
}
