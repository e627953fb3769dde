using IdentiGuard.Server.Configuration;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Okta;

public static class OktaExtensions
{
    public static IServiceCollection AddOkta(this IServiceCollection services)
    {
        services.AddValidatedOptions<OktaOptions>(OktaOptions.Section);
        services.AddHttpClient<OktaHttp>((sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<IOptions<OktaOptions>>().Value.RequestTimeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("IdentiGuard/1.0");
            })
            // Okta answers redirects only for browsers; an API redirect means a wrong domain, so do not follow it.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            // Every response's rate-limit headers feed the pacing of later calls (System Log polling above all).
            .AddHttpMessageHandler<OktaRateLimitHandler>();
        services.AddSingleton<OktaRateLimits>();
        services.AddTransient<OktaRateLimitHandler>();
        services.AddSingleton<SystemLogApi>();
        services.AddSingleton<OktaTokenClient>();
        services.AddSingleton<EventHooksApi>();
        services.AddSingleton<EventTypeCatalog>();
        return services;
    }
}
