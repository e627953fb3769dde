using System.Security.Claims;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace IdentiGuard.Server.Components.Shared;

/// <summary>
/// Base of every page under <c>/w/{WorkspaceId}</c>: enters the workspace through <see cref="WorkspaceAccess"/> (the same
/// gate as the API) before the page loads anything; a non-member sees "not found", exactly like the API's 404.
/// </summary>
public abstract class WorkspacePage : ComponentBase
{
    [Parameter]
    public Guid WorkspaceId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private WorkspaceAccess Access { get; set; } = default!;

    [Inject]
    private Mfa.WorkspaceMfaPolicy MfaPolicy { get; set; } = default!;

    [Inject]
    private NavigationManager MfaNavigation { get; set; } = default!;

    protected WorkspaceMembership? Membership { get; private set; }

    /// <summary>The signed-in user (empty when there is none).</summary>
    protected ClaimsPrincipal User { get; private set; } = new();

    /// <summary>The signed-in user's e-mail, recorded as the actor of what they do.</summary>
    protected string Actor => IdentiGuard.Server.Accounts.ClaimsPrincipalExtensions.DisplayName(User);

    /// <summary>False until the membership check ran, then whether the user may see the workspace.</summary>
    protected bool Loaded { get; private set; }

    /// <summary>Whether the member may do this here, from the one policy table (<see cref="WorkspacePolicy"/>).</summary>
    protected bool Can(WorkspacePermission permission) => Membership is { } m && WorkspacePolicy.Allows(m.Role, permission);

    /// <summary>Admin-level actions (tenants, rules, destinations, settings); prefer <see cref="Can"/> with the specific permission.</summary>
    protected bool CanAdminister => Can(WorkspacePermission.ManageSettings);

    protected sealed override async Task OnParametersSetAsync()
    {
        Loaded = false;
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        User = user ?? new ClaimsPrincipal();
        Membership = user is null ? null : await Access.EnterAsync(user, WorkspaceId);
        if (Membership is not null && !await MfaPolicy.AllowsAsync(User, WorkspaceId))
        {
            // The workspace requires MFA and this session has none: enrol (or sign in again with it) first.
            MfaNavigation.NavigateTo(Mfa.WorkspaceMfaPolicy.EnrolmentPath("/" + MfaNavigation.ToBaseRelativePath(MfaNavigation.Uri)), forceLoad: true);
            return;
        }
        if (Membership is not null) await OnWorkspaceReadyAsync();
        Loaded = true;
    }

    /// <summary>Load the page's data here: the workspace scope is entered.</summary>
    protected virtual Task OnWorkspaceReadyAsync() => Task.CompletedTask;
}
