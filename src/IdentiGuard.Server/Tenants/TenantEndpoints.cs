using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Tenants;

public static class TenantEndpoints
{
    public static void MapTenantEndpoints(this RouteGroupBuilder workspace)
    {
        var tenants = workspace.MapGroup("/tenants").WithTags("Tenants");
        tenants.MapGet("/", async (TenantService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)));
        tenants.MapGet("/{tenantId:guid}", async Task<Results<Ok<TenantView>, NotFound>> (Guid tenantId, TenantService service, CancellationToken ct) =>
            await service.GetAsync(tenantId, ct) is { } tenant ? TypedResults.Ok(tenant) : TypedResults.NotFound());
        tenants.MapPost("/", CreateAsync).RequireWorkspacePermission(WorkspacePermission.ManageTenants);
        tenants.MapPut("/{tenantId:guid}", UpdateAsync).RequireWorkspacePermission(WorkspacePermission.ManageTenants);
        tenants.MapPost("/{tenantId:guid}/retry", RetryAsync).RequireWorkspacePermission(WorkspacePermission.ManageTenants);
        tenants.MapDelete("/{tenantId:guid}", DeleteAsync).RequireWorkspacePermission(WorkspacePermission.ManageTenants);
    }

    public static void MapEventTypeEndpoints(this IEndpointRouteBuilder app)
        // Hook-eligible types first, then those collected from the System Log (eventHookEligible tells them apart).
        => app.MapGet("/api/event-types", (EventTypeCatalog catalog) => TypedResults.Ok(catalog.HookEligible.Concat(catalog.SystemLogOnly).ToList()))
            .RequireAuthorization().WithTags("Tenants");

    private static async Task<Results<Created<TenantSaveResult>, ValidationProblem>> CreateAsync(Guid workspaceId, TenantInput input, TenantService service, HttpContext http, CancellationToken ct)
    {
        var result = await service.CreateAsync(workspaceId, input, http.User.DisplayName(), ct);
        return result.Errors is { } errors
            ? TypedResults.ValidationProblem(errors.ToDictionary())
            : TypedResults.Created($"/api/workspaces/{workspaceId}/tenants/{result.Tenant!.Id}", result);
    }

    private static async Task<Results<Ok<TenantSaveResult>, ValidationProblem, NotFound>> UpdateAsync(Guid tenantId, TenantInput input, TenantService service, HttpContext http, CancellationToken ct)
    {
        var result = await service.UpdateAsync(tenantId, input, http.User.DisplayName(), ct);
        if (result is null) return TypedResults.NotFound();
        return result.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<TenantSaveResult>, NotFound>> RetryAsync(Guid tenantId, TenantService service, HttpContext http, CancellationToken ct)
        => await service.RetryAsync(tenantId, http.User.DisplayName(), ct) is { } result ? TypedResults.Ok(result) : TypedResults.NotFound();

    private static async Task<Results<Ok<TenantDeleteResult>, NotFound>> DeleteAsync(Guid tenantId, bool? purgeData, TenantService service, HttpContext http, CancellationToken ct)
    {
        var result = await service.DeleteAsync(tenantId, purgeData ?? false, http.User.DisplayName(), ct);
        return result.Found ? TypedResults.Ok(result) : TypedResults.NotFound();
    }
}
