using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace IdentiGuard.Server.Workspaces;

/// <summary>
/// Interactive pages live in a long-running circuit, so the membership a page entered with is re-checked before every
/// UI event (click, submit, input). When the user was removed or their role changed, the event is dropped and the
/// page reloads, which runs the HTTP gate again: removal and demotion apply to open pages at once.
/// </summary>
internal sealed class WorkspaceCircuitGuard(WorkspaceAccess access, AuthenticationStateProvider authentication, NavigationManager navigation) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next)
        => async context =>
        {
            if (access.Entered is { } entered)
            {
                var user = (await authentication.GetAuthenticationStateAsync()).User;
                var current = await access.CurrentAsync(user, entered.Membership.WorkspaceId);
                if (current?.Role != entered.Membership.Role)
                {
                    navigation.NavigateTo(navigation.Uri, forceLoad: true);
                    return;
                }
            }
            await next(context);
        };
}
