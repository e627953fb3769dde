using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Rotation;

public static class RotationEndpoints
{
    public sealed record ClientSecretRequest(string? ClientSecret);

    public static IServiceCollection AddSecretRotation(this IServiceCollection services)
    {
        services.AddValidatedOptions<RotationOptions>(RotationOptions.Section);
        services.AddScoped<SecretRotation>();
        return services;
    }

    /// <summary><c>/api/workspaces/{workspaceId}/tenants/{tenantId}/hook-secret/…</c> and <c>/client-secret</c> (tenant admins).</summary>
    public static void MapSecretRotationEndpoints(this RouteGroupBuilder workspace)
    {
        var tenant = workspace.MapGroup("/tenants/{tenantId:guid}").WithTags("Tenants");
        tenant.MapPost("/hook-secret/rotate", async Task<Results<Ok<HookSecretRotation>, ProblemHttpResult, NotFound>> (Guid tenantId, HttpContext http,
            SecretRotation rotation, CancellationToken ct) =>
        {
            var result = await rotation.RotateHookSecretAsync(tenantId, http.User.DisplayName(), http.Connection.RemoteIpAddress?.ToString(), ct);
            if (result is null) return TypedResults.NotFound();
            return result.Rotated ? TypedResults.Ok(result) : TypedResults.Problem(result.Detail, statusCode: StatusCodes.Status409Conflict, title: "Okta did not take the new hook secret");
        }).RequireWorkspacePermission(WorkspacePermission.ManageTenants);
        tenant.MapPost("/hook-secret/retire-previous", async Task<Results<NoContent, NotFound>> (Guid tenantId, HttpContext http, SecretRotation rotation, CancellationToken ct) =>
            await rotation.RetirePreviousHookSecretAsync(tenantId, http.User.DisplayName(), http.Connection.RemoteIpAddress?.ToString(), ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .RequireWorkspacePermission(WorkspacePermission.ManageTenants);
        tenant.MapPost("/client-secret", async Task<Results<Ok<ClientSecretRotation>, ValidationProblem, NotFound>> (Guid tenantId, ClientSecretRequest request,
            HttpContext http, SecretRotation rotation, CancellationToken ct) =>
        {
            var result = await rotation.RotateClientSecretAsync(tenantId, request.ClientSecret, http.User.DisplayName(), http.Connection.RemoteIpAddress?.ToString(), ct);
            if (result is null) return TypedResults.NotFound();
            return result.Replaced ? TypedResults.Ok(result) : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["clientSecret"] = [result.Detail] });
        }).RequireWorkspacePermission(WorkspacePermission.ManageTenants);
    }
}
