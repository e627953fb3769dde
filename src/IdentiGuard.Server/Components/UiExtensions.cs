using IdentiGuard.Server.Workspaces;
using MudBlazor.Services;

namespace IdentiGuard.Server.Components;

public static class UiExtensions
{
    public static IServiceCollection AddUi(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<WorkspaceAccess>();
        services.AddScoped<WorkspaceService>();
        return services;
    }

    public static void MapUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
