using IdentiGuard.Server.Configuration;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace IdentiGuard.Server.Workspaces;

public static class WorkspacesExtensions
{
    /// <summary>Workspace access (membership gate, role policy), members and invitations.</summary>
    public static IServiceCollection AddWorkspaces(this IServiceCollection services)
    {
        services.AddValidatedOptions<InvitationOptions>(InvitationOptions.Section);
        services.AddHttpContextAccessor();
        services.AddScoped<WorkspaceAccess>();
        services.AddScoped<WorkspaceService>();
        services.AddScoped<MemberService>();
        services.AddScoped<InvitationAcceptance>();
        services.AddScoped<ClientAddress>();
        services.AddSingleton<InvitationMailer>();
        services.AddScoped<CircuitHandler, WorkspaceCircuitGuard>();
        return services;
    }
}
