using IdentiGuard.Detection;

namespace IdentiGuard.Server.Detection;

public static class DetectionExtensions
{
    public static IServiceCollection AddDetection(this IServiceCollection services)
    {
        services.AddSingleton<WorkspaceRules>();
        services.AddSingleton<DetectionAlerts>();
        services.AddScoped<RuleCatalog>();
        services.AddHostedService<RulePackWarmUp>();
        return services;
    }

    /// <summary>Compiles the built-in pack in the background at start, so the first delivery's alert is not late.</summary>
    private sealed class RulePackWarmUp : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => RulePack.BuiltIn(), stoppingToken);
    }
}
