using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Server.Workspaces;

/// <summary>What a member may do in a workspace. The least role for each is in <see cref="WorkspacePolicy"/>, and nowhere else.</summary>
public enum WorkspacePermission
{
    /// <summary>Read alerts, events, tenants, rules, activity, settings and members; validate a rule; ask support.</summary>
    View,
    /// <summary>Save and delete one's own alert views (personal: they change nothing another member sees).</summary>
    KeepPersonalViews,
    /// <summary>Change an alert's status, assign it, comment; create and expire suppressions.</summary>
    TriageAlerts,
    /// <summary>Okta response actions (suspend a user, clear sessions) where the tenant allows them.</summary>
    RunResponseActions,
    ManageTenants,
    ManageRules,
    ManageDestinations,
    ManageSettings,
    /// <summary>Invite, change roles, remove members (never above the actor's own role; owners only by owners).</summary>
    ManageMembers,
    /// <summary>The workspace sign-in policy (MFA): it decides who can get in, so only owners change it.</summary>
    ManageSignInPolicy,
}

/// <summary>
/// The workspace role policy table. The API's workspace route group (<see cref="WorkspaceEndpoints"/>), the page gate
/// (<see cref="WorkspacePageGate"/>) and the pages (<c>WorkspacePage.Can</c>) all read it.
/// </summary>
public static class WorkspacePolicy
{
    public static readonly IReadOnlyDictionary<WorkspacePermission, WorkspaceRole> MinimumRole = new Dictionary<WorkspacePermission, WorkspaceRole>
    {
        [WorkspacePermission.View] = WorkspaceRole.Viewer,
        [WorkspacePermission.KeepPersonalViews] = WorkspaceRole.Viewer,
        [WorkspacePermission.TriageAlerts] = WorkspaceRole.Analyst,
        [WorkspacePermission.RunResponseActions] = WorkspaceRole.Analyst,
        [WorkspacePermission.ManageTenants] = WorkspaceRole.Admin,
        [WorkspacePermission.ManageRules] = WorkspaceRole.Admin,
        [WorkspacePermission.ManageDestinations] = WorkspaceRole.Admin,
        [WorkspacePermission.ManageSettings] = WorkspaceRole.Admin,
        [WorkspacePermission.ManageMembers] = WorkspaceRole.Admin,
        [WorkspacePermission.ManageSignInPolicy] = WorkspaceRole.Owner,
    };

    /// <summary>A state-changing API endpoint that declares no permission needs this role (fail closed).</summary>
    public const WorkspaceRole UndeclaredWriteRole = WorkspaceRole.Admin;

    public static bool Allows(WorkspaceRole role, WorkspacePermission permission) => role >= MinimumRole[permission];

    /// <summary>The least role an endpoint needs: its declared permission or role, else viewer for reads and admin for writes.</summary>
    public static WorkspaceRole RequiredRole(Endpoint? endpoint, string method)
        => endpoint?.Metadata.GetMetadata<RequiresWorkspaceRole>()?.Role
           ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ? WorkspaceRole.Viewer : UndeclaredWriteRole);

    /// <summary>The lower of two roles: an API token never acts above its user's current membership.</summary>
    public static WorkspaceRole Lower(WorkspaceRole a, WorkspaceRole b) => a < b ? a : b;
}

/// <summary>Endpoint metadata: the least workspace role an endpoint needs.</summary>
public sealed record RequiresWorkspaceRole(WorkspaceRole Role);

/// <summary>Endpoint metadata: the permission an endpoint was declared with (for the role tests and OpenAPI readers).</summary>
public sealed record RequiresWorkspacePermission(WorkspacePermission Permission);

public static class WorkspaceRoleExtensions
{
    /// <summary>Declares what the endpoint does; the policy table decides the role.</summary>
    public static TBuilder RequireWorkspacePermission<TBuilder>(this TBuilder builder, WorkspacePermission permission) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new RequiresWorkspacePermission(permission), new RequiresWorkspaceRole(WorkspacePolicy.MinimumRole[permission]));

    /// <summary>Prefer <see cref="RequireWorkspacePermission{TBuilder}"/>; kept for endpoints that state a role directly.</summary>
    public static TBuilder RequireWorkspaceRole<TBuilder>(this TBuilder builder, WorkspaceRole role) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new RequiresWorkspaceRole(role));
}
