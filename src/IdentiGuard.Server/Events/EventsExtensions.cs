namespace IdentiGuard.Server.Events;

public static class EventsExtensions
{
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddScoped<EventQueries>();
        return services;
    }
}
