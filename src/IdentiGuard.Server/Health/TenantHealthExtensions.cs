using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Server.Health;

public static class TenantHealthExtensions
{
    /// <summary>The tenant health computation and the periodic check that raises health alerts.</summary>
    public static IServiceCollection AddTenantHealth(this IServiceCollection services)
    {
        services.AddValidatedOptions<HealthOptions>(HealthOptions.Section);
        // Scoped like the context factory it uses.
        services.AddScoped<TenantHealthService>();
        services.AddScoped<HookStatusRefresher>();
        services.AddSingleton<TenantHealthChecker>();
        services.AddHostedService(sp => sp.GetRequiredService<TenantHealthChecker>());
        return services;
    }
}
