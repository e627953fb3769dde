using IdentiGuard.Data.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Accounts;

/// <summary><c>/api/me/tokens</c>: the signed-in user's personal API tokens.</summary>
public static class ApiTokenEndpoints
{
    public sealed record CreateTokenRequest(string? Name, Guid WorkspaceId, WorkspaceRole? Role, int? ExpiresInDays);

    public static IEndpointRouteBuilder MapApiTokenEndpoints(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/me/tokens").RequireAuthorization().WithTags("Account");
        tokens.MapGet("/", async (HttpContext http, ApiTokenService service, CancellationToken ct) =>
        {
            var all = await service.ListAsync(http.User.UserId()!.Value, ct);
            // A token sees only the tokens of its own workspace.
            return TypedResults.Ok(http.User.TokenScope() is { } scope ? all.Where(t => t.WorkspaceId == scope.WorkspaceId).ToList() : all);
        });
        tokens.MapPost("/", async Task<Results<Ok<CreatedApiToken>, ValidationProblem>> (CreateTokenRequest request, HttpContext http, ApiTokenService service, CancellationToken ct) =>
        {
            if (request.Role is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["Choose the token's role: Viewer, Analyst, Admin or Owner."] });
            var result = await service.CreateAsync(http.User, request.Name, request.WorkspaceId, request.Role.Value, request.ExpiresInDays,
                http.Connection.RemoteIpAddress?.ToString(), ct);
            return result.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.Ok(result.Created!);
        });
        tokens.MapDelete("/{tokenId:guid}", async Task<Results<NoContent, NotFound>> (Guid tokenId, HttpContext http, ApiTokenService service, CancellationToken ct) =>
            await service.RevokeAsync(http.User, tokenId, http.Connection.RemoteIpAddress?.ToString(), ct) ? TypedResults.NoContent() : TypedResults.NotFound());
        return app;
    }
}
