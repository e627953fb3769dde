using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Mfa;

public static class WorkspaceMfaEndpoints
{
    public sealed record SignInPolicy(bool RequireMfa);

    public sealed record SignInPolicyRequest(bool? RequireMfa);

    /// <summary><c>/api/workspaces/{id}/sign-in-policy</c>: read by members, changed by owners (it decides who can get in).</summary>
    public static void MapWorkspaceMfaEndpoints(this RouteGroupBuilder workspace)
    {
        var policy = workspace.MapGroup("/sign-in-policy").WithTags("Workspaces");
        policy.MapGet("/", async Task<Results<Ok<SignInPolicy>, NotFound>> (Guid workspaceId, WorkspaceMfaPolicy service, CancellationToken ct) =>
            await service.GetAsync(workspaceId, ct) is { } required ? TypedResults.Ok(new SignInPolicy(required)) : TypedResults.NotFound());
        policy.MapPut("/", async Task<Results<Ok<SignInPolicy>, ValidationProblem, NotFound>> (Guid workspaceId, SignInPolicyRequest request, HttpContext http, WorkspaceMfaPolicy service, CancellationToken ct) =>
        {
            if (request.RequireMfa is not { } required)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["requireMfa"] = ["Give requireMfa as true or false."] });
            return await service.SetAsync(workspaceId, required, http.User.DisplayName(), http.Connection.RemoteIpAddress?.ToString(), ct)
                ? TypedResults.Ok(new SignInPolicy(required)) : TypedResults.NotFound();
        }).RequireWorkspacePermission(WorkspacePermission.ManageSignInPolicy);
    }
}
