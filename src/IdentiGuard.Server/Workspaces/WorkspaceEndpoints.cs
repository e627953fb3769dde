using IdentiGuard.Server.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Workspaces;

public static class WorkspaceEndpoints
{
    /// <summary>
    /// The route group every workspace-owned API hangs off: <c>/api/workspaces/{workspaceId}</c>. Membership (404 when
    /// missing, so other workspaces' ids are not even confirmed) and the role the policy table asks for are checked
    /// here, once, on every request.
    /// </summary>
    public static RouteGroupBuilder MapWorkspaceGroup(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/workspaces").RequireAuthorization().WithTags("Workspaces");
        api.MapGet("/", async (HttpContext http, WorkspaceAccess access, CancellationToken ct) => TypedResults.Ok(await access.ListAsync(http.User, ct)));
        api.MapPost("/", CreateAsync);

        var workspace = api.MapGroup("/{workspaceId:guid}");
        workspace.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var workspaceId = Guid.Parse((string)http.Request.RouteValues["workspaceId"]!);
            var minimum = WorkspacePolicy.RequiredRole(http.GetEndpoint(), http.Request.Method);
            var access = http.RequestServices.GetRequiredService<WorkspaceAccess>();
            var membership = await access.EnterAsync(http.User, workspaceId, ct: http.RequestAborted);
            if (membership is null) return TypedResults.NotFound();
            if (membership.Role < minimum)
                return TypedResults.Problem($"This action needs the {minimum} role in the workspace; you act as {membership.Role}.", statusCode: StatusCodes.Status403Forbidden);
            http.Items[typeof(WorkspaceMembership)] = membership;
            return await next(context);
        });
        workspace.MapGet("/", (HttpContext http) => TypedResults.Ok((WorkspaceMembership)http.Items[typeof(WorkspaceMembership)]!));
        return workspace;
    }

    public sealed record CreateWorkspaceRequest(string? Name);

    private static async Task<Results<Created<WorkspaceMembership>, ValidationProblem, ProblemHttpResult>> CreateAsync(CreateWorkspaceRequest request, HttpContext http,
        WorkspaceService workspaces, CancellationToken ct)
    {
        var result = await workspaces.CreateAsync(http.User, request.Name, http.Connection.RemoteIpAddress?.ToString(), ct);
        if (result.Forbidden) return TypedResults.Problem("Only an instance owner can create workspaces.", statusCode: StatusCodes.Status403Forbidden);
        return result.Errors is { } errors
            ? TypedResults.ValidationProblem(errors.ToDictionary())
            : TypedResults.Created($"/api/workspaces/{result.Workspace!.WorkspaceId}", result.Workspace);
    }
}
