using IdentiGuard.Data;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Support;

public static class SupportEndpoints
{
    public static IServiceCollection AddSupport(this IServiceCollection services)
    {
        services.AddValidatedOptions<SupportOptions>(SupportOptions.Section);
        services.AddScoped<DiagnosticSummary>();
        services.AddScoped<SupportService>();
        services.AddSingleton<SupportMailer>();
        return services;
    }

    public static void MapSupportEndpoints(this RouteGroupBuilder workspace)
    {
        var support = workspace.MapGroup("/support").WithTags("Support");
        support.MapGet("/", async (SupportService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)));
        support.MapPost("/", async Task<Results<Created<SupportTicket>, ValidationProblem>> (Guid workspaceId, SupportInput input, SupportService service, HttpContext http, CancellationToken ct) =>
        {
            var membership = (WorkspaceMembership)http.Items[typeof(WorkspaceMembership)]!;
            var result = await service.SubmitAsync(workspaceId, membership.WorkspaceName, http.User.UserId()!.Value, http.User.DisplayName(), input, ct);
            return result.Errors is { } errors
                ? TypedResults.ValidationProblem(errors.ToDictionary())
                : TypedResults.Created($"/api/workspaces/{workspaceId}/support/{result.Ticket!.Id}", result.Ticket);
        }).RequireWorkspacePermission(WorkspacePermission.View); // asking for help changes nothing in the workspace
    }

    /// <summary>The instance owners' view of every workspace's support requests.</summary>
    public static void MapSupportAdminEndpoints(this IEndpointRouteBuilder app)
        => app.MapGet("/api/support", async Task<Results<Ok<IReadOnlyList<SupportTicket>>, NotFound>> (HttpContext http, IdentiGuardDbContext db, SupportService service, CancellationToken ct) =>
            {
                var userId = http.User.UserId();
                var isOwner = await db.Users.AnyAsync(u => u.Id == userId && u.IsInstanceOwner, ct);
                return isOwner ? TypedResults.Ok(await service.ListAllAsync(ct)) : TypedResults.NotFound();
            })
            .RequireAuthorization().WithTags("Support");
}
