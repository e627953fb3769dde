namespace IdentiGuard.Server.Response;

public static class ResponseExtensions
{
    /// <summary>Response actions on Okta users, the workspace response policy, and recognition of IdentiGuard's own Okta actions.</summary>
    public static IServiceCollection AddResponse(this IServiceCollection services)
    {
        services.AddSingleton<OktaUsersApi>();
        services.AddSingleton<OwnOktaActions>();
        services.AddScoped<ResponseService>();
        services.AddScoped<ResponseSettingsService>();
        return services;
    }
}
