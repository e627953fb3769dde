using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Entities;

/// <summary>Entity views under <c>/api/workspaces/{id}/entities</c>: an Okta user (id or login) and a client IP.</summary>
public static class EntityEndpoints
{
    public static void MapEntityEndpoints(this RouteGroupBuilder workspace)
    {
        var entities = workspace.MapGroup("/entities").WithTags("Entities");
        entities.MapGet("/users/{key}", async Task<Results<Ok<UserEntity>, NotFound>> (string key, EntityQueries queries, CancellationToken ct) =>
            await queries.GetUserAsync(key, ct) is { } user ? TypedResults.Ok(user) : TypedResults.NotFound());
        entities.MapGet("/ips/{ip}", async Task<Results<Ok<IpEntity>, NotFound>> (string ip, EntityQueries queries, CancellationToken ct) =>
            await queries.GetIpAsync(ip, ct) is { } entity ? TypedResults.Ok(entity) : TypedResults.NotFound());
    }
}
