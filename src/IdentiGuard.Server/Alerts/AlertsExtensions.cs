using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Server.Alerts;

public static class AlertsExtensions
{
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddValidatedOptions<AlertOptions>(AlertOptions.Section);
        services.AddSingleton<EventSeverityClassifier>();
        services.AddSingleton<MonitoredEventAlerts>();
        services.AddSingleton<AlertFeed>();
        services.AddScoped<AlertQueries>();
        return services;
    }
}
