using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Polling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Health;

/// <summary>
/// Computes a tenant's health. Reads by tenant id across workspaces (the checker has no workspace scope); the API and
/// the page pass the workspace they entered, and a tenant of another workspace is "not found".
/// </summary>
public sealed class TenantHealthService(
    IDbContextFactory<IdentiGuardDbContext> dbFactory, OktaRateLimits rateLimits, IOptions<PollingOptions> polling, IOptions<HealthOptions> options, TimeProvider time)
{
    /// <summary>Okta's daily cap of event hook deliveries per org, and the figure at which it warns.</summary>
    public const long HookDailyCap = 400_000;
    public const long HookDailyWarning = 280_000;
    public const string DeliveryEventType = "event_hook.delivery";

    public async Task<TenantHealth?> GetAsync(Guid? workspaceId, Guid tenantId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.IgnoreQueryFilters().AsNoTracking().Include(t => t.Hooks).FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null || (workspaceId is { } ws && tenant.WorkspaceId != ws)) return null;

        var now = time.GetUtcNow().UtcDateTime;
        var dayAgo = now.AddHours(-24);
        var events = db.Events.IgnoreQueryFilters().AsNoTracking().Where(e => e.TenantId == tenantId);

        var hooks = tenant.Hooks.OrderBy(h => h.Name)
            .Select(h => new HookHealth(h.OktaHookId, h.Name, h.Status, h.VerificationStatus, IsActive(h) && IsVerified(h))).ToList();

        var checkpoint = await db.PollCheckpoints.AsNoTracking().Where(c => c.TenantId == tenantId)
            .Select(c => new { c.LastPolledAt, c.NewestPolledPublished }).FirstOrDefaultAsync(ct);
        var newestPolled = checkpoint?.NewestPolledPublished;

        // Events per path per hour of arrival, as the store counted them: the current hour and the 23 before it.
        var firstHour = ArrivalCount.HourOf(now).AddHours(-23);
        var perHour = (await db.ArrivalCounts.AsNoTracking().Where(c => c.TenantId == tenantId && c.Hour >= firstHour).ToListAsync(ct))
            .Select(c => new HourlyCount(c.Hour, c.Source, c.Count))
            .OrderBy(g => g.Hour).ThenBy(g => g.Source).ToList();
        var hookLast24h = perHour.Where(g => g.Source == EventSource.Hook).Sum(g => (long)g.Count);

        var failures = await events.Where(e => e.EventType == DeliveryEventType && e.Published >= dayAgo && e.OutcomeResult != "SUCCESS")
            .OrderByDescending(e => e.Published).Take(50)
            .Select(e => new DeliveryFailure(e.Published, e.Uuid, e.OutcomeResult)).ToListAsync(ct);

        var activity = db.Activity.IgnoreQueryFilters().AsNoTracking().Where(a => a.WorkspaceId == tenant.WorkspaceId && a.TenantId == tenantId);
        var lastErrors = await activity.Where(a => a.Outcome == ActivityOutcome.Failure).OrderByDescending(a => a.Id).Take(10)
            .Select(a => new HealthError(a.At, a.Action, a.Message, a.OktaRequestId, a.OktaErrorCode)).ToListAsync(ct);
        // Okta answers a 429 with error code E0000047.
        var refused = await activity.CountAsync(a => a.At >= dayAgo && a.Outcome == ActivityOutcome.Failure
            && (a.OktaErrorCode == "E0000047" || a.Message.Contains(" 429 ")), ct);

        RateLimitHealth? rateLimit = null;
        if (Uri.TryCreate(tenant.DomainUrl + "/api/v1/logs", UriKind.Absolute, out var logsUri) && rateLimits.Snapshot(logsUri) is { } snapshot)
            rateLimit = new RateLimitHealth(snapshot.Limit, snapshot.Remaining, snapshot.ResetAt.UtcDateTime, snapshot.ObservedAt.UtcDateTime);

        var granted = (tenant.GrantedScopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var missingRequired = OktaScopes.Required.Where(s => !OktaScopes.IsGranted(granted, s)).ToList();
        var missingOptional = OktaScopes.Optional.Where(s => !OktaScopes.IsGranted(granted, s)).ToList();

        var checkpointAge = checkpoint?.LastPolledAt is { } polled ? now - polled : (TimeSpan?)null;
        var lag = newestPolled is { } newest ? now - newest : (TimeSpan?)null;

        var reasons = new List<HealthReason>();
        if (tenant.Status != TenantStatus.Connected)
            reasons.Add(new("connection", HealthState.Unhealthy, $"The tenant is not connected ({tenant.Status}).",
                tenant.StatusDetail ?? "Open the tenant, fix what its status says and click Retry."));
        if (hooks.Count == 0 && tenant.Status == TenantStatus.Connected)
            reasons.Add(new("hook", HealthState.Unhealthy, "No event hook is registered in Okta.", "Click Retry on the tenant so IdentiGuard registers its event hook again."));
        foreach (var hook in hooks.Where(h => !h.Ok))
            reasons.Add(new("hook", HealthState.Unhealthy, $"Event hook {hook.Name} is {hook.Status} and {hook.VerificationStatus}.",
                "In the Okta Admin Console open Workflow > Event Hooks, activate and verify the IdentiGuard hook, or click Retry on the tenant."));
        if (missingRequired.Count > 0)
            reasons.Add(new("scopes", HealthState.Unhealthy, $"Required scopes are not granted: {string.Join(", ", missingRequired)}.",
                "In Okta open the IdentiGuard integration, grant the missing Okta API scopes, then click Retry on the tenant."));
        if (polling.Value.Enabled && tenant.Status == TenantStatus.Connected && checkpoint is not null
            && (checkpointAge is null ? now - tenant.UpdatedAt : checkpointAge.Value) > options.Value.MaxPollerLag)
            reasons.Add(new("poller-lag", HealthState.Unhealthy, $"The System Log poller has not polled for {Words(checkpointAge ?? now - tenant.UpdatedAt)}.",
                "Check that Okta is reachable and the credentials are valid (see the errors below); the poller resumes from its checkpoint."));
        if (hookLast24h >= HookDailyWarning)
            reasons.Add(new("hook-volume", HealthState.Unhealthy,
                $"{hookLast24h:N0} hook events in 24 hours, {(hookLast24h >= HookDailyCap ? "at" : "near")} Okta's daily cap of {HookDailyCap:N0}.",
                "Deselect noisy event types on the tenant; the System Log poller keeps collecting what the hook no longer delivers."));
        if (failures.Count > 0)
            reasons.Add(new("delivery-failures", HealthState.Unhealthy, $"Okta reported {failures.Count} failed hook deliveries in 24 hours.",
                "Check that IdentiGuard's public URL is reachable from Okta over HTTPS and answers within 3 seconds; the poller recovers the missed events."));
        if (missingOptional.Count > 0)
            reasons.Add(new("optional-scopes", HealthState.Degraded, $"Optional scopes are not granted: {string.Join(", ", missingOptional)}.",
                "Grant them on the IdentiGuard integration in Okta for user enrichment and response actions."));
        if (rateLimit is { Limit: > 0 } rl && rl.Remaining < rl.Limit / 10 && rl.ResetAt > now)
            reasons.Add(new("rate-limit", HealthState.Degraded, $"Only {rl.Remaining} of {rl.Limit} System Log requests left until {rl.ResetAt:HH:mm:ss} UTC.",
                "Other integrations share this Okta rate limit; IdentiGuard slows down by itself."));
        if (refused > 0)
            reasons.Add(new("rate-limited", HealthState.Degraded, $"Okta refused {refused} requests with 429 in 24 hours.", "IdentiGuard waits for the rate-limit reset; no action needed unless this persists."));

        var state = reasons.Count == 0 ? HealthState.Healthy : reasons.Max(r => r.State);
        return new TenantHealth(tenant.Id, tenant.Name, tenant.DomainUrl, tenant.Status, tenant.StatusDetail, now, state, reasons,
            hooks, tenant.LastDeliveryAt, polling.Value.Enabled, checkpoint?.LastPolledAt, checkpointAge, newestPolled, lag,
            perHour, failures, hookLast24h, HookDailyWarning, HookDailyCap, rateLimit, refused,
            granted, OktaScopes.Required, missingRequired, missingOptional, lastErrors);
    }

    private static bool IsActive(TenantHook h) => string.Equals(h.Status, "ACTIVE", StringComparison.OrdinalIgnoreCase);

    private static bool IsVerified(TenantHook h) => string.Equals(h.VerificationStatus, "VERIFIED", StringComparison.OrdinalIgnoreCase);

    public static string Words(TimeSpan span) => span.TotalDays >= 1 ? $"{span.TotalDays:0.#} days"
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hours" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} minutes" : $"{Math.Max(0, span.TotalSeconds):0} seconds";
}
