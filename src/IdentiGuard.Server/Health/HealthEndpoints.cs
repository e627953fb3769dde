using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Health;

public static class HealthEndpoints
{
    /// <summary><c>GET /api/workspaces/{workspaceId}/tenants/{tenantId}/health</c>.</summary>
    public static void MapTenantHealthEndpoints(this RouteGroupBuilder workspace)
        => workspace.MapGet("/tenants/{tenantId:guid}/health",
                async Task<Results<Ok<TenantHealth>, NotFound>> (Guid workspaceId, Guid tenantId, TenantHealthService service, CancellationToken ct) =>
                    await service.GetAsync(workspaceId, tenantId, ct) is { } health ? TypedResults.Ok(health) : TypedResults.NotFound())
            .WithTags("Tenants");
}
