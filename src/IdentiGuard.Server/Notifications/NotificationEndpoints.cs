using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Notifications;

public static class NotificationEndpoints
{
    /// <summary><c>/api/workspaces/{id}/notifications/destinations</c>: destinations, their delivery log and test sends.</summary>
    public static void MapNotificationEndpoints(this RouteGroupBuilder workspace)
    {
        var group = workspace.MapGroup("/notifications/destinations").WithTags("Notifications");
        group.MapGet("/", async (DestinationService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)));
        group.MapGet("/{destinationId:guid}", async Task<Results<Ok<DestinationView>, NotFound>> (Guid destinationId, DestinationService service, CancellationToken ct) =>
            await service.GetAsync(destinationId, ct) is { } d ? TypedResults.Ok(d) : TypedResults.NotFound());
        group.MapPost("/", async Task<Results<Created<DestinationCreated>, ValidationProblem>> (Guid workspaceId, DestinationInput input, DestinationService service, HttpContext http, CancellationToken ct) =>
        {
            var result = await service.CreateAsync(workspaceId, input, http.User.DisplayName(), ct);
            return result.Errors is { } errors
                ? TypedResults.ValidationProblem(errors.ToDictionary())
                : TypedResults.Created($"/api/workspaces/{workspaceId}/notifications/destinations/{result.Created!.Destination.Id}", result.Created);
        }).RequireWorkspacePermission(WorkspacePermission.ManageDestinations);
        group.MapPut("/{destinationId:guid}", async Task<Results<Ok<DestinationView>, ValidationProblem, NotFound>> (Guid destinationId, DestinationInput input, DestinationService service, HttpContext http, CancellationToken ct) =>
        {
            var result = await service.UpdateAsync(destinationId, input, http.User.DisplayName(), ct);
            if (result.NotFound) return TypedResults.NotFound();
            return result.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.Ok(result.Updated!);
        }).RequireWorkspacePermission(WorkspacePermission.ManageDestinations);
        group.MapDelete("/{destinationId:guid}", async Task<Results<NoContent, NotFound>> (Guid destinationId, DestinationService service, HttpContext http, CancellationToken ct) =>
            await service.DeleteAsync(destinationId, http.User.DisplayName(), ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .RequireWorkspacePermission(WorkspacePermission.ManageDestinations);
        group.MapGet("/{destinationId:guid}/deliveries", async Task<Results<Ok<IReadOnlyList<DeliveryView>>, NotFound>> (Guid destinationId, int? take, DestinationService service, CancellationToken ct) =>
            await service.DeliveriesAsync(destinationId, take ?? 100, ct) is { } log ? TypedResults.Ok(log) : TypedResults.NotFound());
        group.MapPost("/{destinationId:guid}/test", async Task<Results<Ok<DeliveryView>, NotFound>> (Guid destinationId, DestinationService service, HttpContext http, CancellationToken ct) =>
            await service.SendTestAsync(destinationId, http.User.DisplayName(), ct) is { } delivery ? TypedResults.Ok(delivery) : TypedResults.NotFound())
            .RequireWorkspacePermission(WorkspacePermission.ManageDestinations);
    }
}
