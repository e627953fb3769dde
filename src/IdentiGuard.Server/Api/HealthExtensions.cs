using IdentiGuard.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdentiGuard.Server.Api;

public static class HealthExtensions
{
    public static IServiceCollection AddIdentiGuardHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    /// <summary><c>GET /healthz</c>: 200 once the app has started and its database answers; 503 otherwise.</summary>
    public static void MapIdentiGuardHealth(this IEndpointRouteBuilder app) => app.MapHealthChecks("/healthz").AllowAnonymous();

    private sealed class DatabaseHealthCheck(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            if (!lifetime.ApplicationStarted.IsCancellationRequested) return HealthCheckResult.Unhealthy("Starting.");
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            return await db.Database.CanConnectAsync(ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }
}
