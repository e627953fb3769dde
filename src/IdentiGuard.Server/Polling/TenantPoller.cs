using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Polling;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Ingestion;
using IdentiGuard.Server.Telemetry;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Polling;

/// <summary>
/// One tenant's System Log poller, as a plain class the poller grain drives from its timer. Follows Okta's polling
/// pattern: the first request asks <c>since</c> the checkpoint's start (ascending, no <c>until</c>), every later one
/// follows the <c>rel="next"</c> link, which is persisted only after the page's events are durably stored, so a restart
/// resumes without gaps or repeats. Waits adapt to volume (full page → at once; events → the minimum interval; empty →
/// doubling up to the maximum) and to Okta's rate-limit headers. After the live poll it imports history, a few pages per tick.
/// </summary>
public sealed partial class TenantPoller(
    IServiceScopeFactory scopes, SystemLogApi api, TenantSecrets secrets, IngestionNotifier notifier, IOptions<PollingOptions> options, TimeProvider time,
    ILogger<TenantPoller> logger)
{
    // The database services of the current tick (the context factory is scoped; a tick is one scope).
    private IDbContextFactory<IdentiGuardDbContext> dbFactory = null!;
    private PollLease leases = null!;
    private ActivityLog activity = null!;

    /// <summary>The actor of the poller's entries in the activity log.</summary>
    public const string Actor = "System Log poller";

    private enum Outcome { Idle, Backlog, Blocked }

    private readonly string owner = $"{Environment.MachineName}/{Guid.NewGuid():N}";
    private LeaseHandle? lease;
    private DateTimeOffset nextPollAt = DateTimeOffset.MinValue;
    private DateTimeOffset nextBackfillAt = DateTimeOffset.MinValue;
    private bool backfillPending = true;
    private TimeSpan idleInterval;

    private PollingOptions Options => options.Value;

    /// <summary>Poll at once (the tenant was connected again, or its history import was queued).</summary>
    public void Wake()
    {
        nextPollAt = DateTimeOffset.MinValue;
        nextBackfillAt = DateTimeOffset.MinValue;
        backfillPending = true;
    }

    /// <summary>Polls when due. Returns false when the tenant no longer exists (the grain then stops).</summary>
    public async Task<bool> TickAsync(Guid tenantId, CancellationToken ct)
    {
        // Most ticks find nothing due: they cost no scope, no query and no request.
        var now = time.GetUtcNow();
        var renewalDue = lease is not null && lease.ExpiresAt - now.UtcDateTime <= Options.LeaseDuration / 2;
        if (now < nextPollAt && !(backfillPending && now >= nextBackfillAt) && !renewalDue) return true;

        await using var scope = scopes.CreateAsyncScope();
        dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<IdentiGuardDbContext>>();
        leases = scope.ServiceProvider.GetRequiredService<PollLease>();
        activity = scope.ServiceProvider.GetRequiredService<ActivityLog>();
        return await TickInScopeAsync(tenantId, ct);
    }

    private async Task<bool> TickInScopeAsync(Guid tenantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var liveDue = now >= nextPollAt;
        var backfillDue = backfillPending && now >= nextBackfillAt;
        if (!liveDue && !backfillDue)
        {
            await RenewIfDueAsync(tenantId, ct);
            return true;
        }

        Tenant? tenant;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            tenant = await db.Tenants.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null)
        {
            await ReleaseAsync(ct);
            return false;
        }
        if (tenant.Status != TenantStatus.Connected || !await HoldLeaseAsync(tenantId, ct))
        {
            // Not polled until the admin fixes the connection (Retry wakes the poller), or while another poller holds the lease.
            nextPollAt = nextBackfillAt = now + Options.MaxInterval;
            return true;
        }

        var session = new OktaSession(new OktaCredentials(tenant.Id, tenant.DomainUrl, tenant.ClientId, secrets.Unprotect(tenant.ClientSecretProtected)));
        try
        {
            var outcome = liveDue ? await PollAsync(tenant, session, ct) : Outcome.Idle;
            // Live events come first: history is imported only in turns where the live poll is not behind or blocked.
            if (outcome == Outcome.Idle && backfillDue && lease is not null) await BackfillAsync(tenant, session, ct);
        }
        finally
        {
            // Every Okta call is in the activity log with its request id, the poller's too.
            await activity.WriteOktaCallsAsync(tenant.WorkspaceId, tenant.Id, session, Actor, CancellationToken.None);
        }
        return true;
    }

    private async Task<Outcome> PollAsync(Tenant tenant, OktaSession session, CancellationToken ct)
    {
        var checkpoint = await leases.ReadAsync(tenant.Id, ct);
        if (checkpoint is null || lease is null) return Outcome.Blocked;
        var url = checkpoint.NextUrl ?? SystemLogApi.PollingUrl(tenant.DomainUrl, checkpoint.StartAt, Options.PageSize);

        for (var page = 0; page < Options.MaxPagesPerTick; page++)
        {
            if (IsPaced(tenant, ref nextPollAt)) return Outcome.Blocked;
            SystemLogPage result;
            try
            {
                result = await api.GetPageAsync(session, url, ct);
            }
            catch (Exception ex) when (Failed(tenant.Id, ex, ref nextPollAt))
            {
                return Outcome.Blocked;
            }

            var receivedAt = time.GetUtcNow().UtcDateTime;
            var events = result.Events.Select(e => OktaEventParser.FromLogEvent(e, receivedAt)).ToList();
            // Durably stored first, then the checkpoint: a crash in between repeats the page, and the store dedups it.
            if (events.Count > 0) await StoreAsync(tenant, events, EventSource.Poll, ct);

            if (result.NextUrl is null)
            {
                // Polling always returns a next link; without one, keep the checkpoint and ask again later.
                MissingNext(logger, tenant.Id);
                nextPollAt = time.GetUtcNow() + Options.MaxInterval;
                return Outcome.Blocked;
            }
            var newest = events.Count == 0 ? (DateTime?)null : events.Max(e => e.Published);
            lease = await leases.SaveCheckpointAsync(lease!, result.NextUrl, events.Count, newest, Options.LeaseDuration, ct);
            if (lease is null)
            {
                LostLease(tenant.Id);
                nextPollAt = time.GetUtcNow() + Options.MaxInterval;
                return Outcome.Blocked;
            }
            url = result.NextUrl;
            if (events.Count >= Options.PageSize) continue;

            idleInterval = events.Count > 0 || idleInterval < Options.MinInterval
                ? Options.MinInterval
                : TimeSpan.FromTicks(Math.Min(Options.MaxInterval.Ticks, idleInterval.Ticks * 2));
            nextPollAt = time.GetUtcNow() + idleInterval;
            return Outcome.Idle;
        }
        // Page cap reached with full pages: leave the turn to other tenants and continue on the next tick.
        idleInterval = Options.MinInterval;
        nextPollAt = time.GetUtcNow();
        return Outcome.Backlog;
    }

    /// <summary>Imports a few pages of the history window (a bounded query followed through next until there is none).</summary>
    private async Task BackfillAsync(Tenant tenant, OktaSession session, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var state = await db.Backfills.AsNoTracking().FirstOrDefaultAsync(b => b.TenantId == tenant.Id, ct);
        if (state is null || state.Status is BackfillStatus.Completed or BackfillStatus.Failed)
        {
            backfillPending = false;
            return;
        }

        for (var page = 0; page < Options.BackfillPagesPerTick && lease is not null; page++)
        {
            if (IsPaced(tenant, ref nextBackfillAt)) return;
            var url = state.NextUrl ?? SystemLogApi.BoundedUrl(tenant.DomainUrl, state.Since, state.Until, Options.PageSize);
            SystemLogPage result;
            try
            {
                result = await api.GetPageAsync(session, url, ct);
            }
            catch (OktaApiException ex) when (ex.Status is >= 400 and < 500 and not 401 and not 403 and not 429)
            {
                // Okta refused the query itself (too old a since, say): retrying will not help.
                await SaveBackfillAsync(db, state, s =>
                {
                    s.Status = BackfillStatus.Failed;
                    s.Error = Truncate(ex.Describe(), 1000);
                    s.CompletedAt = time.GetUtcNow().UtcDateTime;
                }, ct);
                backfillPending = false;
                return;
            }
            catch (Exception ex) when (Failed(tenant.Id, ex, ref nextBackfillAt))
            {
                return;
            }

            var receivedAt = time.GetUtcNow().UtcDateTime;
            var events = result.Events.Select(e => OktaEventParser.FromLogEvent(e, receivedAt)).ToList();
            if (events.Count > 0) await StoreAsync(tenant, events, EventSource.Backfill, ct);
            var done = result.NextUrl is null;
            var reached = events.Count > 0 ? events.Max(e => e.Published) : state.Reached;
            if (!await SaveBackfillAsync(db, state, s =>
            {
                s.NextUrl = result.NextUrl;
                s.Pages++;
                s.Events += events.Count;
                s.Reached = done ? s.Until : reached;
                s.Status = done ? BackfillStatus.Completed : BackfillStatus.Running;
                if (done) s.CompletedAt = time.GetUtcNow().UtcDateTime;
            }, ct)) return;
            if (done)
            {
                backfillPending = false;
                BackfillCompleted(logger, tenant.Id, state.Pages, state.Events);
                return;
            }
        }
    }

    /// <summary>Applies the change to <paramref name="state"/> and writes it, fenced by the lease.</summary>
    private async Task<bool> SaveBackfillAsync(IdentiGuardDbContext db, BackfillState state, Action<BackfillState> change, CancellationToken ct)
    {
        change(state);
        if (lease is null) return false;
        var fenced = lease;
        var updated = await leases.Write(() => PollLease.FencedBackfill(db, fenced).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.NextUrl, state.NextUrl)
            .SetProperty(b => b.Pages, state.Pages)
            .SetProperty(b => b.Events, state.Events)
            .SetProperty(b => b.Reached, state.Reached)
            .SetProperty(b => b.Status, state.Status)
            .SetProperty(b => b.Error, state.Error)
            .SetProperty(b => b.CompletedAt, state.CompletedAt), ct));
        if (updated == 1) return true;
        LostLease(state.TenantId);
        return false;
    }

    private async Task StoreAsync(Tenant tenant, IReadOnlyList<IncomingEvent> events, EventSource source, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<EventStore>();
        var result = await store.StoreAsync(tenant.WorkspaceId, tenant.Id, events, source, ct);
        if (result.Stored > 0) notifier.EventsStored(tenant.Id);
        if (source == EventSource.Poll)
            scope.ServiceProvider.GetRequiredService<IdentiGuardMetrics>().PollerLag(time.GetUtcNow().UtcDateTime - events.Max(e => e.Published));
        Stored(logger, tenant.Id, source, result.Stored, result.Duplicates);
    }

    /// <summary>True (and <paramref name="next"/> moved to the allowed time) when IdentiGuard's share of the org's bucket is used up.</summary>
    private bool IsPaced(Tenant tenant, ref DateTimeOffset next)
    {
        var allowedAt = api.NextAllowedAt(tenant.DomainUrl, Options.RateLimitShare);
        if (allowedAt <= time.GetUtcNow()) return false;
        next = allowedAt;
        Paced(logger, tenant.Id, allowedAt);
        return true;
    }

    /// <summary>Schedules the retry of a failed request; true for the failures a poller expects.</summary>
    private bool Failed(Guid tenantId, Exception ex, ref DateTimeOffset next)
    {
        switch (ex)
        {
            case OktaRateLimitedException limited:
                // 429: wait for the window's reset plus a second, then resend the same link.
                next = limited.RetryAt;
                RateLimited(logger, tenantId, limited.RetryAt);
                return true;
            case OktaApiException or OktaUnreachableException or InvalidDataException or JsonException or HttpRequestException:
                next = time.GetUtcNow() + Options.ErrorInterval;
                PollFailed(logger, tenantId, ex.Message);
                return true;
            default:
                return false;
        }
    }

    private async Task<bool> HoldLeaseAsync(Guid tenantId, CancellationToken ct)
    {
        if (lease is not null)
        {
            await RenewIfDueAsync(tenantId, ct);
            if (lease is not null) return true;
        }
        lease = await leases.TryAcquireAsync(tenantId, owner, Options.LeaseDuration, time.GetUtcNow().UtcDateTime, ct);
        if (lease is not null) Acquired(logger, tenantId, lease.FencingToken, owner);
        return lease is not null;
    }

    private async Task RenewIfDueAsync(Guid tenantId, CancellationToken ct)
    {
        if (lease is null || lease.ExpiresAt - time.GetUtcNow().UtcDateTime > Options.LeaseDuration / 2) return;
        lease = await leases.RenewAsync(lease, Options.LeaseDuration, ct);
        if (lease is null) LostLease(tenantId);
    }

    /// <summary>Gives the lease up so another poller can take over at once (graceful stop or deactivation).</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        if (lease is null) return;
        var held = lease;
        lease = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PollLease>().ReleaseAsync(held, ct);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or OperationCanceledException)
        {
            // It expires on its own.
        }
    }

    private void LostLease(Guid tenantId)
    {
        lease = null;
        LeaseLost(logger, tenantId, owner);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(Level = LogLevel.Information, Message = "System Log poller of tenant {TenantId} acquired its lease (fencing token {Token}, owner {Owner})")]
    private static partial void Acquired(ILogger logger, Guid tenantId, long token, string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "System Log poller of tenant {TenantId} lost its lease (owner {Owner}); it stops polling")]
    private static partial void LeaseLost(ILogger logger, Guid tenantId, string owner);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: {Stored} events stored from {Source}, {Duplicates} already stored")]
    private static partial void Stored(ILogger logger, Guid tenantId, EventSource source, int stored, int duplicates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: Okta's System Log rate limit was reached; retrying at {RetryAt:O}")]
    private static partial void RateLimited(ILogger logger, Guid tenantId, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: IdentiGuard's share of the System Log rate limit is used; next request at {At:O}")]
    private static partial void Paced(ILogger logger, Guid tenantId, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: polling the System Log failed ({Reason}); retrying later")]
    private static partial void PollFailed(ILogger logger, Guid tenantId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: the System Log returned no next link; keeping the checkpoint")]
    private static partial void MissingNext(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: history import completed ({Pages} pages, {Events} events)")]
    private static partial void BackfillCompleted(ILogger logger, Guid tenantId, int pages, long events);
}
