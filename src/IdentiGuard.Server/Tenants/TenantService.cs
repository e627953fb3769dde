using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Polling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Tenants;

/// <summary>
/// Tenant use cases shared by the REST API and the UI. Callers have entered the workspace; the context's workspace
/// filter keeps every read and write inside it.
/// </summary>
public sealed class TenantService(
    IDbContextFactory<IdentiGuardDbContext> dbFactory, TenantConnector connector, TenantSecrets secrets, EventTypeCatalog catalog, ActivityLog activity,
    IOptions<IdentiGuardOptions> host, IOptions<OktaOptions> okta, TimeProvider time, TenantPolling polling)
{
    public async Task<IReadOnlyList<TenantView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenants = await db.Tenants.AsNoTracking().Include(t => t.Hooks).OrderBy(t => t.Name).ToListAsync(ct);
        var views = await polling.ViewsAsync(tenants.Select(t => t.Id).ToList(), ct);
        return tenants.Select(t => View(t, views.GetValueOrDefault(t.Id))).ToList();
    }

    public async Task<TenantView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Hooks).FirstOrDefaultAsync(t => t.Id == id, ct);
        return tenant is null ? null : View(tenant, (await polling.ViewsAsync([tenant.Id], ct)).GetValueOrDefault(tenant.Id));
    }

    public async Task<TenantSaveResult> CreateAsync(Guid workspaceId, TenantInput input, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (string.IsNullOrWhiteSpace(input.ClientSecret)) return TenantSaveResult.Invalid("clientSecret", "Paste the Client Secret from the IdentiGuard integration in Okta.");
        if (Validate(input) is { } invalid) return invalid;

        var now = time.GetUtcNow().UtcDateTime;
        OktaDomain.TryNormalize(input.DomainUrl, okta.Value.AllowInsecureLoopback, out var domain, out _);
        var tenant = new Tenant
        {
            Id = Guid.NewGuid(), WorkspaceId = workspaceId, Name = NameFor(input, domain), DomainUrl = domain, ClientId = input.ClientId!.Trim(),
            ClientSecretProtected = secrets.Protect(input.ClientSecret.Trim()), HookSecretProtected = secrets.Protect(TenantSecrets.NewHookSecret()),
            EventTypes = SelectedTypes(input), Status = TenantStatus.Connecting, CreatedAt = now, UpdatedAt = now,
        };
        db.Tenants.Add(tenant);
        // Saved before Okta is called: Okta verifies the hook by calling back, and the endpoint must find the tenant.
        await db.SaveChangesAsync(ct);
        await activity.WriteAsync(workspaceId, tenant.Id, "tenant.created", ActivityOutcome.Success,
            $"Tenant {tenant.Name} added for {tenant.DomainUrl} (client {tenant.ClientId}) monitoring {tenant.EventTypes.Count} event types.", actor, ct: ct);
        return await ConnectAsync(db, tenant, actor, ct);
    }

    public async Task<TenantSaveResult?> UpdateAsync(Guid id, TenantInput input, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.Include(t => t.Hooks).FirstOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null) return null;
        if (Validate(input) is { } invalid) return invalid;

        OktaDomain.TryNormalize(input.DomainUrl, okta.Value.AllowInsecureLoopback, out var domain, out _);
        var changes = new List<string>();
        if (domain != tenant.DomainUrl) changes.Add($"domain {tenant.DomainUrl} → {domain}");
        if (input.ClientId!.Trim() != tenant.ClientId) changes.Add($"client id {tenant.ClientId} → {input.ClientId.Trim()}");
        if (!string.IsNullOrWhiteSpace(input.ClientSecret)) changes.Add("client secret replaced");
        var types = SelectedTypes(input);
        if (!types.SequenceEqual(tenant.EventTypes)) changes.Add($"event types {tenant.EventTypes.Count} → {types.Count}");
        var name = NameFor(input, domain);
        if (name != tenant.Name) changes.Add($"name {tenant.Name} → {name}");

        tenant.DomainUrl = domain;
        tenant.ClientId = input.ClientId.Trim();
        if (!string.IsNullOrWhiteSpace(input.ClientSecret)) tenant.ClientSecretProtected = secrets.Protect(input.ClientSecret.Trim());
        tenant.EventTypes = types;
        tenant.Name = name;
        tenant.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await activity.WriteAsync(tenant.WorkspaceId, tenant.Id, "tenant.updated", ActivityOutcome.Success,
            $"Tenant {tenant.Name} updated: {(changes.Count == 0 ? "no changes" : string.Join("; ", changes))}.", actor, ct: ct);
        return await ConnectAsync(db, tenant, actor, ct);
    }

    /// <summary>Runs the Okta setup again (after the admin fixed what the status said).</summary>
    public async Task<TenantSaveResult?> RetryAsync(Guid id, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.Include(t => t.Hooks).FirstOrDefaultAsync(t => t.Id == id, ct);
        return tenant is null ? null : await ConnectAsync(db, tenant, actor, ct);
    }

    public async Task<TenantDeleteResult> DeleteAsync(Guid id, bool purgeData, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.Include(t => t.Hooks).FirstOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null) return new TenantDeleteResult(false, false, "No such tenant.");
        await polling.StopAsync(tenant.Id);

        var session = new OktaSession(Credentials(tenant));
        var outcome = await connector.DisconnectAsync(session, tenant.Id, tenant.Hooks, ct);
        await activity.WriteOktaCallsAsync(tenant.WorkspaceId, tenant.Id, session, actor, ct);

        if (purgeData)
        {
            await db.Alerts.Where(a => a.TenantId == tenant.Id).ExecuteDeleteAsync(ct);
            await db.Events.Where(e => e.TenantId == tenant.Id).ExecuteDeleteAsync(ct);
        }
        db.Tenants.Remove(tenant);
        await db.SaveChangesAsync(ct);
        await activity.WriteAsync(tenant.WorkspaceId, tenant.Id, "tenant.deleted", outcome.Complete ? ActivityOutcome.Success : ActivityOutcome.Failure,
            $"Tenant {tenant.Name} deleted{(purgeData ? " with its events and alerts" : "; its events and alerts are kept")}. {outcome.Detail}", actor, ct: ct);
        return new TenantDeleteResult(true, outcome.Complete, outcome.Detail);
    }

    private async Task<TenantSaveResult> ConnectAsync(IdentiGuardDbContext db, Tenant tenant, string actor, CancellationToken ct)
    {
        var session = new OktaSession(Credentials(tenant));
        var hookTypes = tenant.EventTypes.Where(catalog.IsHookEligible).ToList();
        async Task<IReadOnlySet<Guid>> LiveTenantsAsync(CancellationToken token)
            => (await db.Tenants.IgnoreQueryFilters().Select(t => t.Id).ToListAsync(token)).ToHashSet();

        var outcome = await connector.ConnectAsync(session, tenant, secrets.Unprotect(tenant.HookSecretProtected), hookTypes, LiveTenantsAsync, ct);
        await activity.WriteOktaCallsAsync(tenant.WorkspaceId, tenant.Id, session, actor, ct);

        tenant.Status = outcome.Status;
        tenant.StatusDetail = outcome.Detail;
        tenant.GrantedScopes = string.Join(' ', outcome.GrantedScopes);
        tenant.UpdatedAt = time.GetUtcNow().UtcDateTime;
        if (outcome.Status == TenantStatus.Connected)
        {
            tenant.HookBaseUrl = host.Value.PublicBaseUrl;
            db.TenantHooks.RemoveRange(tenant.Hooks);
            db.TenantHooks.AddRange(outcome.Hooks);
        }
        await db.SaveChangesAsync(ct);
        await activity.WriteAsync(tenant.WorkspaceId, tenant.Id, "tenant.status",
            outcome.Status == TenantStatus.Connected ? ActivityOutcome.Success : ActivityOutcome.Failure,
            $"{StatusLabel(outcome.Status)}: {outcome.Detail}{(outcome.Notices.Count > 0 ? " " + string.Join(" ", outcome.Notices) : "")}", actor, ct: ct);
        // The System Log poller starts (or wakes) once the tenant is connected; the first connect also queues the history import.
        if (outcome.Status == TenantStatus.Connected) await polling.ConnectedAsync(tenant.Id, ct);
        return new TenantSaveResult(View(tenant, (await polling.ViewsAsync([tenant.Id], ct)).GetValueOrDefault(tenant.Id)), null, outcome.Notices);
    }

    private TenantSaveResult? Validate(TenantInput input)
    {
        if (!OktaDomain.TryNormalize(input.DomainUrl, okta.Value.AllowInsecureLoopback, out _, out var domainError))
            return TenantSaveResult.Invalid("domainUrl", domainError);
        var clientId = input.ClientId?.Trim() ?? "";
        if (clientId.Length == 0) return TenantSaveResult.Invalid("clientId", "Paste the Client ID from the IdentiGuard integration in Okta.");
        if (clientId.Length > 200 || clientId.Any(char.IsWhiteSpace)) return TenantSaveResult.Invalid("clientId", "A Client ID has no spaces and at most 200 characters.");
        if (input.ClientSecret is { Length: > 500 }) return TenantSaveResult.Invalid("clientSecret", "That Client Secret is too long to be an Okta secret.");
        if (input.Name is { Length: > 200 }) return TenantSaveResult.Invalid("name", "Use a name of at most 200 characters.");
        if (input.EventTypes is not null)
        {
            if (input.EventTypes.Count == 0) return TenantSaveResult.Invalid("eventTypes", "Select at least one event type to monitor (Select All is the default).");
            // Hook-eligible types are delivered by the event hook; published System-Log-only types are collected by polling.
            var unknown = input.EventTypes.Where(t => !catalog.IsMonitorable(t)).Take(5).ToList();
            if (unknown.Count > 0) return TenantSaveResult.Invalid("eventTypes", $"Not an event type Okta can deliver to IdentiGuard: {string.Join(", ", unknown)}.");
        }
        return null;
    }

    /// <summary>No list means "Select All", the default: every hook-eligible and System-Log-only type.</summary>
    private List<string> SelectedTypes(TenantInput input)
        => (input.EventTypes ?? catalog.HookEligible.Concat(catalog.SystemLogOnly).Select(t => t.Type).ToList()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static string NameFor(TenantInput input, string domain)
        => string.IsNullOrWhiteSpace(input.Name) ? new Uri(domain).Host : input.Name.Trim();

    private OktaCredentials Credentials(Tenant tenant) => new(tenant.Id, tenant.DomainUrl, tenant.ClientId, secrets.Unprotect(tenant.ClientSecretProtected));

    private TenantView View(Tenant t, PollingView? pollingView) => new(
        t.Id, t.Name, t.DomainUrl, t.ClientId, HasClientSecret: t.ClientSecretProtected.Length > 0, t.EventTypes, t.Status, t.StatusDetail,
        (t.GrantedScopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries), host.Value.HookUriFor(t.Id), t.CreatedAt, t.UpdatedAt, t.LastDeliveryAt,
        t.Hooks.Select(h => new TenantHookView(h.OktaHookId, h.Name, h.EventTypeCount, h.Status, h.VerificationStatus)).ToList(), pollingView);

    public static string StatusLabel(TenantStatus status) => status switch
    {
        TenantStatus.Connecting => "Connecting",
        TenantStatus.Connected => "Connected",
        TenantStatus.VerificationFailed => "Verification failed",
        TenantStatus.CredentialsRejected => "Credentials rejected",
        TenantStatus.MissingScope => "Missing scope",
        TenantStatus.OktaUnreachable => "Okta unreachable",
        TenantStatus.OktaError => "Okta error",
        TenantStatus.Deleting => "Deleting",
        _ => status.ToString(),
    };
}
