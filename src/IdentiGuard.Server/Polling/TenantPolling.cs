using IdentiGuard.Data;
using IdentiGuard.Data.Polling;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Polling;

/// <summary>History import progress as shown with a tenant.</summary>
public sealed record BackfillView(BackfillStatus Status, DateTime Since, DateTime Until, int Pages, long Events, int Percent, string? Error, DateTime? CompletedAt);

/// <summary>System Log polling as shown with a tenant.</summary>
public sealed record PollingView(bool Enabled, DateTime? LastPolledAt, long EventsPolled, BackfillView? Backfill);

/// <summary>What the tenant use cases need from polling: start on connect, stop on delete, and the status to show.</summary>
public sealed partial class TenantPolling(
    IGrainFactory grains, IDbContextFactory<IdentiGuardDbContext> dbFactory, PollLease leases, IOptions<PollingOptions> options, TimeProvider time,
    ILogger<TenantPolling> logger)
{
    /// <summary>
    /// The tenant is connected: the first time, polling starts now and the history window before now is queued for import
    /// (the two meet exactly, so nothing falls between them); then the poller grain is started.
    /// </summary>
    public async Task ConnectedAsync(Guid tenantId, CancellationToken ct)
    {
        if (!options.Value.Enabled) return;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (!await db.PollCheckpoints.AnyAsync(c => c.TenantId == tenantId, ct))
            {
                var now = time.GetUtcNow().UtcDateTime;
                if (options.Value.BackfillWindow > TimeSpan.Zero && !await db.Backfills.AnyAsync(b => b.TenantId == tenantId, ct))
                {
                    db.Backfills.Add(new BackfillState
                    {
                        TenantId = tenantId, Since = now - options.Value.BackfillWindow, Until = now, Status = BackfillStatus.Pending, CreatedAt = now,
                    });
                    await db.SaveChangesAsync(ct);
                }
                await leases.EnsureCheckpointAsync(tenantId, now, ct);
            }
            await grains.GetGrain<ITenantPollerGrain>(tenantId).Start();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The start-up activation retries; the hook keeps delivering meanwhile.
            StartFailed(logger, ex, tenantId);
        }
    }

    /// <summary>The tenant is being deleted: stop its poller first, so it does not poll an org being disconnected.</summary>
    public async Task StopAsync(Guid tenantId)
    {
        try
        {
            await grains.GetGrain<ITenantPollerGrain>(tenantId).Stop();
        }
        catch (Exception ex)
        {
            // The poller stops by itself once it finds the tenant gone.
            StopFailed(logger, ex, tenantId);
        }
    }

    public async Task<IReadOnlyDictionary<Guid, PollingView>> ViewsAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = tenantIds.ToList();
        var checkpoints = await db.PollCheckpoints.AsNoTracking().Where(c => ids.Contains(c.TenantId))
            .Select(c => new { c.TenantId, c.LastPolledAt, c.EventsPolled }).ToDictionaryAsync(c => c.TenantId, ct);
        var backfills = await db.Backfills.AsNoTracking().Where(b => ids.Contains(b.TenantId)).ToDictionaryAsync(b => b.TenantId, ct);
        return ids.ToDictionary(id => id, id => new PollingView(options.Value.Enabled,
            checkpoints.TryGetValue(id, out var c) ? c.LastPolledAt : null, c?.EventsPolled ?? 0,
            backfills.TryGetValue(id, out var b) ? View(b) : null));
    }

    public static BackfillView View(BackfillState b)
    {
        var span = (b.Until - b.Since).TotalSeconds;
        var percent = b.Status == BackfillStatus.Completed ? 100
            : b.Reached is { } reached && span > 0 ? (int)Math.Clamp(Math.Floor((reached - b.Since).TotalSeconds / span * 100), 0, 99) : 0;
        return new BackfillView(b.Status, b.Since, b.Until, b.Pages, b.Events, percent, b.Error, b.CompletedAt);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start the System Log poller of tenant {TenantId}")]
    private static partial void StartFailed(ILogger logger, Exception ex, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not stop the System Log poller of tenant {TenantId}")]
    private static partial void StopFailed(ILogger logger, Exception ex, Guid tenantId);
}

/// <summary>At start-up, starts the poller of every connected tenant (grains can be called once the app has started).</summary>
internal sealed class PollerStartup(IServiceScopeFactory scopes, IGrainFactory grains, IHostApplicationLifetime lifetime, IOptions<PollingOptions> options,
    ILogger<PollerStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        await lifetime.WaitForStartAsync(stoppingToken);

        // Start every connected tenant's poller now, then keep checking: when a host is lost, its pollers' grains are
        // activated again on a live host by the next sweep (the fenced lease keeps a stale one from writing).
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            List<Guid> tenantIds;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
                tenantIds = await db.Tenants.IgnoreQueryFilters().Where(t => t.Status == TenantStatus.Connected).Select(t => t.Id).ToListAsync(stoppingToken);
            }
            foreach (var id in tenantIds)
            {
                try
                {
                    var grain = grains.GetGrain<ITenantPollerGrain>(id);
                    await (first ? grain.Start() : grain.EnsureRunning());
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Could not start the System Log poller of tenant {TenantId}", id);
                }
            }
            first = false;
            await Task.Delay(options.Value.LeaseDuration, stoppingToken);
        }
    }
}
