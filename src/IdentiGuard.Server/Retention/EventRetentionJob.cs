using IdentiGuard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Retention;

/// <summary>
/// Every <see cref="RetentionOptions.Interval"/>, deletes each workspace's raw events published before its retention
/// (<c>Workspace.EventRetentionDays</c>), in batches. Alerts keep their evidence: an event an alert references is kept,
/// and so is one its tenant's grain has not processed yet (a backfill can bring old events).
/// </summary>
public sealed partial class EventRetentionJob(
    IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider time, ILogger<EventRetentionJob> logger) : BackgroundService
{
    public const int MinDays = 1;
    public const int MaxDays = 3650;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        // The first run waits an interval, so a start-up is not slowed by a large delete.
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                RunFailed(logger, ex);
            }
        }
    }

    /// <summary>One pass over every workspace; returns the number of events deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<IdentiGuardDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var workspaces = await db.Workspaces.AsNoTracking().Select(w => new { w.Id, w.EventRetentionDays }).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var batch = options.Value.BatchSize;
        var total = 0;
        foreach (var workspace in workspaces)
        {
            var cutoff = now.AddDays(-Math.Clamp(workspace.EventRetentionDays, MinDays, MaxDays));
            var workspaceId = workspace.Id;
            while (true)
            {
                var ids = await db.Events.IgnoreQueryFilters()
                    .Where(e => e.WorkspaceId == workspaceId && e.Published < cutoff
                        && !db.AlertEvents.Any(a => a.StoredEventId == e.Id)
                        && !db.Tenants.IgnoreQueryFilters().Any(t => t.Id == e.TenantId && t.ProcessedEventCursor < e.Id))
                    .OrderBy(e => e.Id).Select(e => e.Id).Take(batch).ToListAsync(ct);
                if (ids.Count == 0) break;
                total += await db.Events.IgnoreQueryFilters().Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
                if (ids.Count < batch) break;
            }
        }
        // Tenant health shows the last 24 hours of arrival counts; two days leave room for a late reader.
        var countsBefore = now.AddDays(-2);
        await db.ArrivalCounts.Where(c => c.Hour < countsBefore).ExecuteDeleteAsync(ct);
        if (total > 0) Deleted(logger, total);
        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} raw events")]
    private static partial void Deleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event retention run failed")]
    private static partial void RunFailed(ILogger logger, Exception ex);
}
