using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Notifications;
using IdentiGuard.Data.Response;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Response;
using IdentiGuard.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Notifications;

/// <summary>
/// The durable, cluster-safe outbox behind notifications and automatic responses. Each pass:
/// <list type="number">
/// <item>routes alerts that have no <see cref="AlertDispatch"/> row yet: the row (unique by alert) is inserted in the same
/// transaction as the alert's deliveries and queued automatic responses, so a crash loses nothing and two hosts cannot
/// both route one alert; an alert skipped as suppressed is routed once an unsuppressed event joins it;</item>
/// <item>sends due deliveries, each under a short database lease, retrying failures with exponential backoff;</item>
/// <item>runs queued automatic responses.</item>
/// </list>
/// New alerts wake it at once (<see cref="AlertFeed"/>); the poll interval catches everything else (other hosts, restarts).
/// </summary>
public sealed partial class AlertDispatcher(
    IServiceScopeFactory scopes, AlertFeed feed, IOptions<NotificationOptions> options,
    IOptions<IdentiGuardOptions> host, TimeProvider time, ILogger<AlertDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly TimeSpan MinPassInterval = TimeSpan.FromMilliseconds(200);
    private readonly string owner = $"{Environment.MachineName}/{Guid.NewGuid():N}";
    private readonly SemaphoreSlim wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        feed.AlertsChanged += OnAlertsChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Any failure, a stray cancellation included: one that escaped would end this loop for good,
                    // and nothing else sends alerts.
                    PassFailed(logger, ex);
                }
                try
                {
                    // New alerts wake the dispatcher many times a second under load; a short pause between passes lets
                    // them gather into one routing transaction instead of a commit (and a write lock) each.
                    await Task.Delay(MinPassInterval, time, stoppingToken);
                    await wake.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            feed.AlertsChanged -= OnAlertsChanged;
        }
    }

    private void OnAlertsChanged(Guid workspaceId)
    {
        if (wake.CurrentCount == 0)
        {
            try { wake.Release(); } catch (SemaphoreFullException) { }
        }
    }

    /// <summary>One pass: route new alerts, send due deliveries, run queued automatic responses.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        await RouteNewAlertsAsync(ct);
        await SendDueAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ResponseService>().RunQueuedAsync(ct);
    }

    private async Task RouteNewAlertsAsync(CancellationToken ct)
    {
        var since = ScanFrom();
        while (true)
        {
            List<Alert> alerts;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
                alerts = await db.Alerts.IgnoreQueryFilters().AsNoTracking()
                    .Where(a => a.CreatedAt >= since && !db.AlertDispatches.Any(d => d.AlertId == a.Id))
                    .OrderBy(a => a.CreatedAt).Take(BatchSize).ToListAsync(ct);
            }
            if (alerts.Count == 0) break;
            var routed = await RouteBatchAsync(alerts, revealed: false, ct);
            if (alerts.Count < BatchSize || routed == 0) break;
        }
        var revealed = await RevealedAsync(ct);
        if (revealed.Count > 0) await RouteBatchAsync(revealed, revealed: true, ct);
    }

    /// <summary>
    /// Alerts that were skipped as suppressed and that an event no suppression entry matches has since joined (the
    /// alert is visible now): they are routed as if new, since what the analyst's exception let through is news.
    /// </summary>
    private async Task<List<Alert>> RevealedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        // The same condition as the partial index that holds these rows, so a pass reads only them.
        return await db.AlertDispatches.IgnoreQueryFilters().AsNoTracking()
            .Where(d => EF.Functions.Like(d.SkippedReason!, AlertDispatch.SuppressedPattern))
            .Join(db.Alerts.IgnoreQueryFilters().AsNoTracking().Where(a => !a.IsSuppressed), d => d.AlertId, a => a.Id, (d, a) => a)
            .Take(BatchSize).ToListAsync(ct);
    }

    /// <summary>Routes the alerts together; if that fails, each on its own, so one the database refuses cannot hold back the others.</summary>
    private async Task<int> RouteBatchAsync(List<Alert> alerts, bool revealed, CancellationToken ct)
    {
        try
        {
            return await RouteAsync(alerts, revealed, ct);
        }
        catch (Exception ex) when (alerts.Count > 1 && ex is not OperationCanceledException)
        {
            BatchRoutingFailed(logger, ex, alerts.Count);
            var routed = 0;
            foreach (var alert in alerts) routed += await RouteAsync([alert], revealed, ct);
            return routed;
        }
    }

    /// <summary>
    /// Where a pass looks for unrouted alerts. Every alert of the last <see cref="NotificationOptions.MaxAlertAge"/> is
    /// checked once a minute (and at start-up); the passes in between, which new alerts trigger many times a second,
    /// check only the last <see cref="RecentWindow"/>. Checking a day of alerts on every pass made the dispatcher the
    /// busiest reader of the database under a hundred busy tenants. An alert is created moments before its commit, so
    /// the window misses one only if its commit took minutes, and the next full check routes it.
    /// </summary>
    private DateTime ScanFrom()
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now < nextFullScanAt) return now - RecentWindow;
        nextFullScanAt = now + FullScanInterval;
        return now - options.Value.MaxAlertAge;
    }

    internal static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(2), FullScanInterval = TimeSpan.FromMinutes(1);
    private DateTime nextFullScanAt = DateTime.MinValue;

    /// <summary>
    /// Routes the alerts in one transaction (one durable commit, not one per alert: under a busy Select All tenant
    /// new alerts come by the hundred). The dispatch rows are the claims: every host routes new alerts, whoever inserts
    /// an alert's row first routes it, and the others' inserts do nothing, with no failed statement to log.
    /// </summary>
    /// <param name="revealed">The alerts were skipped as suppressed and are visible now: their dispatch rows exist, and the
    /// claim is changing a row's skip reason instead of inserting it.</param>
    /// <returns>How many of the alerts this host routed (the rest another host routed first).</returns>
    private async Task<int> RouteAsync(IReadOnlyList<Alert> alerts, bool revealed, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var policy = scope.ServiceProvider.GetRequiredService<AlertNotificationPolicy>();
        var now = time.GetUtcNow().UtcDateTime;
        var workspaces = alerts.Select(a => a.WorkspaceId).Distinct().ToList();
        var destinations = (await db.NotificationDestinations.IgnoreQueryFilters().AsNoTracking()
            .Where(d => workspaces.Contains(d.WorkspaceId) && d.Enabled).ToListAsync(ct)).ToLookup(d => d.WorkspaceId);
        var automatic = (await db.AutomaticResponses.IgnoreQueryFilters().AsNoTracking()
            .Where(r => workspaces.Contains(r.WorkspaceId)).ToListAsync(ct)).ToLookup(r => (r.WorkspaceId, r.RuleId));

        var dispatches = new List<AlertDispatch>(alerts.Count);
        var routes = new List<List<NotificationDestination>>(alerts.Count);
        foreach (var alert in alerts)
        {
            var skip = await policy.SkipReasonAsync(db, alert, ct);
            routes.Add(skip is null ? destinations[alert.WorkspaceId].Where(d => AlertNotificationPolicy.Routes(d, alert)).ToList() : []);
            dispatches.Add(new AlertDispatch { AlertId = alert.Id, WorkspaceId = alert.WorkspaceId, DispatchedAt = now, SkippedReason = skip, Deliveries = routes[^1].Count });
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = revealed ? await ClaimRevealedAsync(db, dispatches, ct) : await PreparedRows.InsertNewAsync(db, dispatches, DispatchColumns, ct);
        var routed = 0;
        for (var i = 0; i < alerts.Count; i++)
        {
            if (!claimed[i]) continue;
            routed++;
            if (dispatches[i].SkippedReason is not null) continue;
            var alert = alerts[i];
            foreach (var destination in routes[i])
                db.NotificationDeliveries.Add(new NotificationDelivery
                {
                    WorkspaceId = alert.WorkspaceId, DestinationId = destination.Id, AlertId = alert.Id,
                    Status = DeliveryStatus.Pending, CreatedAt = now, NextAttemptAt = now,
                });
            foreach (var rule in automatic[(alert.WorkspaceId, alert.RuleId)]) db.ResponseActions.Add(ResponseService.Automatic(alert, rule.Kind, now));
        }
        if (routed == 0) return 0; // another host routed them all: roll back
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return routed;
    }

    /// <summary>Claims each revealed alert by rewriting its suppressed dispatch row; only one host's update matches.</summary>
    private static async Task<bool[]> ClaimRevealedAsync(IdentiGuardDbContext db, List<AlertDispatch> dispatches, CancellationToken ct)
    {
        var claimed = new bool[dispatches.Count];
        for (var i = 0; i < dispatches.Count; i++)
        {
            var d = dispatches[i];
            claimed[i] = await db.AlertDispatches.IgnoreQueryFilters()
                .Where(row => row.AlertId == d.AlertId && EF.Functions.Like(row.SkippedReason!, AlertDispatch.SuppressedPattern))
                .ExecuteUpdateAsync(s => s.SetProperty(row => row.SkippedReason, d.SkippedReason).SetProperty(row => row.Deliveries, d.Deliveries)
                    .SetProperty(row => row.DispatchedAt, d.DispatchedAt), ct) == 1;
        }
        return claimed;
    }

    private static readonly string[] DispatchColumns =
        [nameof(AlertDispatch.AlertId), nameof(AlertDispatch.WorkspaceId), nameof(AlertDispatch.DispatchedAt), nameof(AlertDispatch.Deliveries), nameof(AlertDispatch.SkippedReason)];

    private async Task SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.NotificationDeliveries.IgnoreQueryFilters().AsNoTracking()
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseExpiresAt == null || d.LeaseExpiresAt < now))
            .OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(BatchSize).ToListAsync(ct);
        // A slow destination must not hold up the others: attempts run side by side, a few at a time.
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (id, token) =>
        {
            try
            {
                await SendOneAsync(id, token);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                // Caught here, one attempt's failure (the database refusing its update, say) does not cancel the
                // attempts beside it; its lease expires and a later pass tries it again.
                AttemptFailed(logger, ex, id);
            }
        });
    }

    private async Task SendOneAsync(long deliveryId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var leaseUntil = now + options.Value.LeaseDuration;
        // The lease is taken with one conditional update: only one host's update matches.
        var claimed = await db.NotificationDeliveries.IgnoreQueryFilters()
            .Where(d => d.Id == deliveryId && d.Status == DeliveryStatus.Pending && (d.LeaseExpiresAt == null || d.LeaseExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, owner).SetProperty(d => d.LeaseExpiresAt, leaseUntil), ct);
        if (claimed == 0) return;

        var delivery = await db.NotificationDeliveries.IgnoreQueryFilters().FirstAsync(d => d.Id == deliveryId, ct);
        var destination = await db.NotificationDestinations.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(d => d.Id == delivery.DestinationId, ct);
        var alert = delivery.AlertId is { } alertId
            ? await db.Alerts.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(a => a.Id == alertId, ct)
            : null;
        DeliveryOutcome outcome;
        if (destination is null || alert is null)
            outcome = new DeliveryOutcome(false, false, null, destination is null ? "The destination was deleted." : "The alert was deleted.");
        else if (!destination.Enabled)
            outcome = new DeliveryOutcome(false, false, null, "The destination was turned off before this was sent.");
        else
        {
            var tenant = await db.Tenants.IgnoreQueryFilters().AsNoTracking().Where(t => t.Id == alert.TenantId)
                .Select(t => new { t.Name, t.DomainUrl }).FirstOrDefaultAsync(ct);
            var message = NotificationMessage.From(alert, tenant?.Name ?? "(deleted tenant)", tenant?.DomainUrl ?? "", host.Value.PublicBaseUrl);
            try
            {
                outcome = await scope.ServiceProvider.GetRequiredService<NotificationSender>().SendAsync(destination, message, delivery.Id, ct);
            }
            catch (OperationCanceledException)
            {
                // Shutting down mid-send: give the delivery back at once rather than when the lease expires.
                await db.NotificationDeliveries.IgnoreQueryFilters().Where(d => d.Id == deliveryId && d.LeaseOwner == owner)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseExpiresAt, (DateTime?)null), CancellationToken.None);
                throw;
            }
        }

        var done = time.GetUtcNow().UtcDateTime;
        delivery.Attempts++;
        delivery.LastAttemptAt = done;
        delivery.LastHttpStatus = outcome.HttpStatus;
        delivery.LastError = DestinationService.Truncate(outcome.Error);
        delivery.LeaseOwner = null;
        delivery.LeaseExpiresAt = null;
        if (outcome.Success)
        {
            delivery.Status = DeliveryStatus.Delivered;
            delivery.DeliveredAt = done;
        }
        else if (!outcome.Retryable || delivery.Attempts >= options.Value.MaxAttempts)
        {
            delivery.Status = DeliveryStatus.Failed;
            DeliveryFailed(logger, delivery.Id, delivery.Attempts, outcome.Error);
        }
        else
        {
            delivery.NextAttemptAt = done + Backoff(delivery.Attempts);
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Exponential backoff: base × 2^(attempts−1), capped.</summary>
    public TimeSpan Backoff(int attemptsSoFar)
    {
        var o = options.Value;
        var factor = Math.Pow(2, Math.Clamp(attemptsSoFar - 1, 0, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(o.RetryBaseDelay.Ticks * factor, o.RetryMaxDelay.Ticks));
        return delay;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing {Count} new alerts together failed; routing each on its own")]
    private static partial void BatchRoutingFailed(ILogger logger, Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert dispatch pass failed")]
    private static partial void PassFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt at notification delivery {DeliveryId} failed; it is tried again when its lease expires")]
    private static partial void AttemptFailed(ILogger logger, Exception ex, long deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification delivery {DeliveryId} failed after {Attempts} attempts: {Error}")]
    private static partial void DeliveryFailed(ILogger logger, long deliveryId, int attempts, string? error);
}
