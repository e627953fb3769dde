namespace IdentiGuard.Server.Ingestion;

public static class IngestionExtensions
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddScoped<HookTenants>();
        services.AddScoped<EventStore>();
        services.AddSingleton<IngestionNotifier>();
        services.AddSingleton<TenantEventProcessor>();
        services.AddHostedService<PendingEventSweep>();
        return services;
    }
}
