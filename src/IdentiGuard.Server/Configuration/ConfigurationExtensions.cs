using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Configuration;

public static class ConfigurationExtensions
{
    /// <summary>Binds a feature's options class to its section and validates it when the host starts.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class
        => services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    public static WebApplicationBuilder AddIdentiGuardOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<IdentiGuardOptions>(IdentiGuardOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
