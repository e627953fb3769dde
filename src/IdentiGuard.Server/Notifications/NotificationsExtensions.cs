using IdentiGuard.Server.Configuration;

namespace IdentiGuard.Server.Notifications;

public static class NotificationsExtensions
{
    /// <summary>Notification destinations, their sender, and the alert dispatcher (outbox) that also runs automatic responses.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddValidatedOptions<NotificationOptions>(NotificationOptions.Section);
        services.AddSingleton<NotificationSecrets>();
        services.AddSingleton<AlertNotificationPolicy>();
        services.AddHttpClient<NotificationSender>(client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // each attempt has its own timeout (NotificationOptions.RequestTimeout)
                client.DefaultRequestHeaders.UserAgent.ParseAdd("IdentiGuard/1.0");
            })
            // A redirect could carry the signed body elsewhere; receivers must be configured with their final URL.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            // HttpClientFactory logs request URIs, and a Slack or Teams webhook URL carries its token in the path.
            .RemoveAllLoggers();
        services.AddScoped<DestinationService>();
        services.AddSingleton<AlertDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        return services;
    }
}
