using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentiGuard.Server.Ingestion;

public static class IngestionExtensions
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<IdentiGuardMetrics>();
        services.AddValidatedOptions<HookCommitOptions>(HookCommitOptions.Section);
        services.AddScoped<HookTenants>();
        services.AddScoped<EventStore>();
        services.AddSingleton<HookDeliveryQueue>();
        services.AddSingleton<HookBatchCommitter>();
        services.AddHostedService<HookCommitWriter>();
        services.AddSingleton<IngestionNotifier>();
        services.AddSingleton<TenantEventProcessor>();
        services.AddHostedService<PendingEventSweep>();
        return services;
    }
}
