using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Detection;
using IdentiGuard.Server.Events;
using IdentiGuard.Server.Health;
using IdentiGuard.Server.Mfa;
using IdentiGuard.Server.Notifications;
using IdentiGuard.Server.Response;
using IdentiGuard.Server.Retention;
using IdentiGuard.Server.Rotation;
using IdentiGuard.Server.Support;
using IdentiGuard.Server.Tenants;
using IdentiGuard.Server.Workspaces;

namespace IdentiGuard.Server.Api;

public static class ApiExtensions
{
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddOpenApi();
        services.AddProblemDetails();
        services.AddRequestHardening();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return services;
    }

    /// <summary>The REST API under <c>/api</c>; everything workspace-owned hangs off the workspace group.</summary>
    public static void MapApi(this WebApplication app)
    {
        app.MapOpenApi("/api/openapi/{documentName}.json");
        app.MapAccountEndpoints();
        app.MapApiTokenEndpoints();
        app.MapEventTypeEndpoints();
        app.MapSupportAdminEndpoints();
        var workspace = app.MapWorkspaceGroup();
        workspace.MapTenantEndpoints();
        workspace.MapTenantHealthEndpoints();
        workspace.MapWorkspaceSettingsEndpoints();
        workspace.MapWorkspaceMfaEndpoints();
        workspace.MapAlertEndpoints();
        workspace.MapEventEndpoints();
        workspace.MapRuleEndpoints();
        workspace.MapActivityEndpoints();
        workspace.MapSupportEndpoints();
        workspace.MapNotificationEndpoints();
        workspace.MapResponseEndpoints();
        workspace.MapMemberEndpoints();
        workspace.MapSecretRotationEndpoints();
        app.MapInvitationAcceptEndpoint();
    }
}
