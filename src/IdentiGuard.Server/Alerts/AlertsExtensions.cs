using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Entities;
using IdentiGuard.Server.Export;
using IdentiGuard.Server.Suppression;
using IdentiGuard.Server.Triage;

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

        // Triage, suppression, entity pages and export live in their own folders; alerts is their one entry point.
        services.AddScoped<AlertHistory>();
        services.AddScoped<AlertTriage>();
        services.AddScoped<AlertIncidents>();
        services.AddScoped<SavedViews>();
        // Suppression expiry is read on its own clock so tests can move it without moving the host (see SuppressionMatcher).
        services.AddKeyedSingleton(SuppressionMatcher.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<SuppressionMatcher>();
        services.AddScoped<SuppressionService>();
        services.AddScoped<EntityQueries>();
        services.AddScoped<AlertExport>();
        return services;
    }
}
