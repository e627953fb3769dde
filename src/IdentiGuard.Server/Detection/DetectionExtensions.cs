namespace IdentiGuard.Server.Detection;

public static class DetectionExtensions
{
    public static IServiceCollection AddDetection(this IServiceCollection services)
    {
        services.AddSingleton<WorkspaceRules>();
        services.AddSingleton<DetectionAlerts>();
        return services;
    }
}
