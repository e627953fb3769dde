using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Server.Polling;

public static class PollingExtensions
{
    /// <summary>System Log polling: one leased poller grain per connected tenant, and the history import on connect.</summary>
    public static IServiceCollection AddPolling(this IServiceCollection services)
    {
        services.AddValidatedOptions<PollingOptions>(PollingOptions.Section);
        // Scoped like the context factory they use.
        services.AddScoped<PollLease>();
        services.AddScoped<TenantPolling>();
        // One per poller grain activation: it holds that activation's lease and schedule.
        services.AddTransient<TenantPoller>();
        services.AddHostedService<PollerStartup>();
        return services;
    }
}
