using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using IdentiGuard.Data.Accounts;

namespace IdentiGuard.Server.Workspaces;

public static class MemberEndpoints
{
    public sealed record InviteRequest(string? Email, WorkspaceRole? Role);

    public sealed record RoleRequest(WorkspaceRole? Role);

    /// <summary><c>/api/workspaces/{workspaceId}/members</c> and <c>/invitations</c>.</summary>
    public static void MapMemberEndpoints(this RouteGroupBuilder workspace)
    {
        var members = workspace.MapGroup("/members").WithTags("Members");
        members.MapGet("/", async (MemberService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)));
        members.MapPut("/{userId:guid}/role", async Task<Results<Ok<MemberView>, ProblemHttpResult, NotFound>> (Guid workspaceId, Guid userId, RoleRequest request,
            HttpContext http, MemberService service, CancellationToken ct) =>
        {
            var result = await service.ChangeRoleAsync(workspaceId, Actor(http), userId, request.Role, ct);
            return result.NotFound ? TypedResults.NotFound() : result.Error is { } error ? Refused(error) : TypedResults.Ok(result.Value!);
        }).RequireWorkspacePermission(WorkspacePermission.ManageMembers);
        // Leaving needs only membership; removing someone else is checked by the service against the policy.
        members.MapDelete("/{userId:guid}", async Task<Results<NoContent, ProblemHttpResult, NotFound>> (Guid workspaceId, Guid userId,
            HttpContext http, MemberService service, CancellationToken ct) =>
        {
            var result = await service.RemoveAsync(workspaceId, Actor(http), userId, ct);
            return result.NotFound ? TypedResults.NotFound() : result.Error is { } error ? Refused(error) : TypedResults.NoContent();
        }).RequireWorkspacePermission(WorkspacePermission.View);

        var invitations = workspace.MapGroup("/invitations").WithTags("Members");
        invitations.MapGet("/", async (MemberService service, CancellationToken ct) => TypedResults.Ok(await service.PendingInvitationsAsync(ct)))
            .RequireWorkspacePermission(WorkspacePermission.ManageMembers);
        invitations.MapPost("/", async Task<Results<Ok<CreatedInvitation>, ValidationProblem, ProblemHttpResult>> (Guid workspaceId, InviteRequest request,
            HttpContext http, MemberService service, CancellationToken ct) =>
        {
            if (request.Role is not { } role || !Enum.IsDefined(role))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["Choose Viewer, Analyst, Admin or Owner."] });
            if (MemberService.NormalizeEmail(request.Email) is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = ["Enter the e-mail address of the person to invite."] });
            var result = await service.InviteAsync(workspaceId, Actor(http), request.Email, role, ct);
            return result.Error is { } error ? Refused(error) : TypedResults.Ok(result.Value!);
        }).RequireWorkspacePermission(WorkspacePermission.ManageMembers);
        invitations.MapDelete("/{invitationId:guid}", async Task<Results<NoContent, ProblemHttpResult, NotFound>> (Guid workspaceId, Guid invitationId,
            HttpContext http, MemberService service, CancellationToken ct) =>
        {
            var result = await service.RevokeInvitationAsync(workspaceId, Actor(http), invitationId, ct);
            return result.NotFound ? TypedResults.NotFound() : result.Error is { } error ? Refused(error) : TypedResults.NoContent();
        }).RequireWorkspacePermission(WorkspacePermission.ManageMembers);
    }

    /// <summary><c>POST /invitations/accept</c>: the accept page's form (antiforgery-validated).</summary>
    public static void MapInvitationAcceptEndpoint(this IEndpointRouteBuilder app)
        => app.MapPost("/invitations/accept", async Task<RedirectHttpResult> ([FromForm] string token, [FromForm] string? password, [FromForm] string? confirmPassword,
            HttpContext http, InvitationAcceptance acceptance, SignInManager<AppUser> signIn, CancellationToken ct) =>
        {
            var back = $"/invitations/accept?token={Uri.EscapeDataString(token ?? "")}";
            var signedIn = http.User.Identity?.IsAuthenticated == true ? http.User : null;
            if (signedIn is null && password != confirmPassword) return TypedResults.Redirect(back + "&error=" + Uri.EscapeDataString("The two passwords differ."));
            var result = await acceptance.AcceptAsync(token, signedIn, password, http.Connection.RemoteIpAddress?.ToString(), ct);
            if (result.Error is { } error) return TypedResults.Redirect(back + "&error=" + Uri.EscapeDataString(error));
            if (signedIn is null) await signIn.SignInAsync(result.User!, isPersistent: false);
            return TypedResults.LocalRedirect($"/w/{result.WorkspaceId}/alerts");
        }).ExcludeFromDescription().AllowAnonymous();

    private static MemberActor Actor(HttpContext http)
    {
        var membership = (WorkspaceMembership)http.Items[typeof(WorkspaceMembership)]!;
        return new MemberActor(http.User.UserId()!.Value, http.User.DisplayName(), membership.Role, http.Connection.RemoteIpAddress?.ToString());
    }

    private static ProblemHttpResult Refused(string reason) => TypedResults.Problem(reason, statusCode: StatusCodes.Status403Forbidden);
}
