using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Server.Retention;

public static class RetentionExtensions
{
    /// <summary>Per-workspace raw-event retention: the settings use case and the background job enforcing it.</summary>
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddValidatedOptions<RetentionOptions>(RetentionOptions.Section);
        services.AddScoped<WorkspaceSettingsService>();
        services.AddSingleton<EventRetentionJob>();
        services.AddHostedService(sp => sp.GetRequiredService<EventRetentionJob>());
        return services;
    }
}
