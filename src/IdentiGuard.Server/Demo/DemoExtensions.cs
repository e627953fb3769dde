using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Server.Demo;

public static class DemoExtensions
{
    /// <summary>Demo mode (off unless <c>IdentiGuard:Demo:Enabled</c>); the state is always there for the layout's banner.</summary>
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddValidatedOptions<DemoOptions>(DemoOptions.Section);
        services.AddSingleton<DemoState>();
        services.AddSingleton<DemoPlayer>();
        services.AddHostedService<DemoService>();
        return services;
    }
}
