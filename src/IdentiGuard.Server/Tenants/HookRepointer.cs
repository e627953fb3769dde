using IdentiGuard.Data;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Tenants;

/// <summary>
/// When IdentiGuard:PublicBaseUrl changed since a tenant's hooks were registered, re-points them (Okta re-verifies
/// the new URI) as soon as the host is up, so deliveries follow the move without anyone editing the tenant.
/// </summary>
internal sealed partial class HookRepointer(IServiceScopeFactory scopes, IOptions<IdentiGuardOptions> host, IHostApplicationLifetime lifetime, ILogger<HookRepointer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await lifetime.WaitForStartAsync(stoppingToken);

        var current = host.Value.PublicBaseUrl;
        List<(Guid Id, Guid WorkspaceId)> moved;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            moved = (await db.Tenants.IgnoreQueryFilters()
                    .Where(t => t.HookBaseUrl != null && t.HookBaseUrl != current && t.Status == TenantStatus.Connected)
                    .Select(t => new { t.Id, t.WorkspaceId }).ToListAsync(stoppingToken))
                .Select(t => (t.Id, t.WorkspaceId)).ToList();
        }

        foreach (var (tenantId, workspaceId) in moved)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
                var result = await scope.ServiceProvider.GetRequiredService<TenantService>()
                    .RetryAsync(tenantId, "IdentiGuard (public URL changed)", stoppingToken);
                Repointed(logger, tenantId, current, result?.Tenant?.Status.ToString() ?? "gone");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                RepointFailed(logger, ex, tenantId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-pointed the event hooks of tenant {TenantId} to {PublicBaseUrl}: {Status}")]
    private static partial void Repointed(ILogger logger, Guid tenantId, string publicBaseUrl, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not re-point the event hooks of tenant {TenantId}")]
    private static partial void RepointFailed(ILogger logger, Exception ex, Guid tenantId);
}
