namespace IdentiGuard.Server.Dashboard;

public static class DashboardExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services) => services.AddScoped<DashboardQueries>();
}
