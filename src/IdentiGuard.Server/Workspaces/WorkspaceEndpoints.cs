using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Workspaces;

public static class WorkspaceEndpoints
{
    /// <summary>
    /// The route group every workspace-owned API hangs off: <c>/api/workspaces/{workspaceId}</c>. Membership (404 when
    /// missing, so other workspaces' ids are not even confirmed) and the minimum role are checked here, once.
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
            var minimum = http.GetEndpoint()?.Metadata.GetMetadata<RequiresWorkspaceRole>()?.Role ?? WorkspaceRole.Viewer;
            var access = http.RequestServices.GetRequiredService<WorkspaceAccess>();
            var membership = await access.EnterAsync(http.User, workspaceId, WorkspaceRole.Viewer, http.RequestAborted);
            if (membership is null) return TypedResults.NotFound();
            if (membership.Role < minimum)
                return TypedResults.Problem($"This action needs the {minimum} role in the workspace.", statusCode: StatusCodes.Status403Forbidden);
            http.Items[typeof(WorkspaceMembership)] = membership;
            return await next(context);
        });
        workspace.MapGet("/", (HttpContext http) => TypedResults.Ok((WorkspaceMembership)http.Items[typeof(WorkspaceMembership)]!));
        return workspace;
    }

    public sealed record CreateWorkspaceRequest(string Name);

    private static async Task<Results<Created<WorkspaceMembership>, ValidationProblem>> CreateAsync(CreateWorkspaceRequest request, HttpContext http, WorkspaceService workspaces, CancellationToken ct)
    {
        var result = await workspaces.CreateAsync(http.User.UserId()!.Value, request.Name, ct);
        return result.Errors is { } errors
            ? TypedResults.ValidationProblem(errors.ToDictionary())
            : TypedResults.Created($"/api/workspaces/{result.Workspace!.WorkspaceId}", result.Workspace);
    }
}

/// <summary>Endpoint metadata: the least workspace role an endpoint needs (viewer when absent).</summary>
public sealed record RequiresWorkspaceRole(WorkspaceRole Role);

public static class WorkspaceRoleExtensions
{
    public static TBuilder RequireWorkspaceRole<TBuilder>(this TBuilder builder, WorkspaceRole role) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new RequiresWorkspaceRole(role));
}
