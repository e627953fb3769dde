namespace IdentiGuard.Server.Tenants;

public static class TenantsExtensions
{
    public static IServiceCollection AddTenants(this IServiceCollection services)
    {
        services.AddSingleton<TenantSecrets>();
        services.AddSingleton<TenantConnector>();
        services.AddScoped<TenantService>();
        services.AddHostedService<HookRepointer>();
        return services;
    }
}
