using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Health;

/// <summary>
/// Every <see cref="HealthOptions.CheckInterval"/>, evaluates each connected tenant and raises one alert per tenant,
/// unhealthy reason and day (rule id <c>identiguard.health.&lt;reason&gt;</c>); a reason that persists updates that alert.
/// </summary>
public sealed partial class TenantHealthChecker(
    IServiceScopeFactory scopes, AlertFeed feed, IOptions<HealthOptions> options, TimeProvider time, ILogger<TenantHealthChecker> logger) : BackgroundService
{
    public const string RulePrefix = "identiguard.health.";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAllAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                CheckFailed(logger, ex);
            }
        }
    }

    /// <summary>One pass over every connected tenant; returns the number of alerts raised or updated.</summary>
    public async Task<int> CheckAllAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<IdentiGuardDbContext>>();
        var health = scope.ServiceProvider.GetRequiredService<TenantHealthService>();
        var refresher = scope.ServiceProvider.GetRequiredService<HookStatusRefresher>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenants = await db.Tenants.IgnoreQueryFilters().AsNoTracking().Where(t => t.Status == TenantStatus.Connected)
            .Select(t => new { t.Id, t.WorkspaceId }).ToListAsync(ct);
        var raised = 0;
        foreach (var tenant in tenants)
        {
            if (options.Value.RefreshHooksFromOkta) await refresher.RefreshAsync(tenant.Id, ct);
            if (await health.GetAsync(null, tenant.Id, ct) is not { State: HealthState.Unhealthy } result) continue;
            var changed = await RaiseAsync(db, tenant.WorkspaceId, result, ct);
            if (changed > 0) feed.Publish(tenant.WorkspaceId);
            raised += changed;
        }
        return raised;
    }

    private async Task<int> RaiseAsync(IdentiGuardDbContext db, Guid workspaceId, TenantHealth health, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var day = now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var changed = 0;
        // Several hooks can fail for one reason: one alert per reason, its explanation lists them all.
        foreach (var reason in health.Reasons.Where(r => r.State == HealthState.Unhealthy).GroupBy(r => r.Code))
        {
            var groupKey = $"health:{reason.Key}:{day}";
            var title = reason.Count() == 1 ? reason.First().Title : string.Join(" ", reason.Select(r => r.Title));
            var explanation = $"{title} Tenant {health.Name} ({health.DomainUrl}). Remedy: {reason.First().Remedy}";
            var alert = await db.Alerts.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.TenantId == health.TenantId && a.GroupKey == groupKey, ct);
            if (alert is null)
            {
                db.Alerts.Add(new Alert
                {
                    Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, TenantId = health.TenantId, Kind = AlertKind.Detection,
                    RuleId = RulePrefix + reason.Key, Title = $"Tenant health: {title}", Severity = AlertSeverity.High,
                    EventType = "identiguard.health", Actor = "IdentiGuard", GroupKey = groupKey, Count = 1,
                    FirstSeen = now, LastSeen = now, CreatedAt = now, UpdatedAt = now, Explanation = explanation,
                });
            }
            else
            {
                alert.LastSeen = now;
                alert.UpdatedAt = now;
                alert.Explanation = explanation;
            }
            changed++;
        }
        await db.SaveChangesAsync(ct);
        return changed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant health check failed")]
    private static partial void CheckFailed(ILogger logger, Exception ex);
}
