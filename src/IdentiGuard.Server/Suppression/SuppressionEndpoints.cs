using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Suppression;

/// <summary>Suppression entries under <c>/api/workspaces/{id}/suppressions</c>: viewers read, analysts create and end them.</summary>
public static class SuppressionEndpoints
{
    public static void MapSuppressionEndpoints(this RouteGroupBuilder workspace)
    {
        var group = workspace.MapGroup("/suppressions").WithTags("Suppressions");
        group.MapGet("/", async (string? ruleId, bool? active, SuppressionService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAsync(ruleId, includeExpired: active != true, ct)));
        group.MapGet("/{id:guid}", async Task<Results<Ok<SuppressionView>, NotFound>> (Guid id, SuppressionService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } entry ? TypedResults.Ok(entry) : TypedResults.NotFound());
        group.MapPost("/", async Task<Results<Created<SuppressionView>, ValidationProblem>> (Guid workspaceId, SuppressionInput input, SuppressionService service,
            HttpContext http, CancellationToken ct) =>
        {
            var result = await service.CreateAsync(input, http.User.DisplayName(), ct);
            return result.Entry is { } entry
                ? TypedResults.Created($"/api/workspaces/{workspaceId}/suppressions/{entry.Id}", entry)
                : TypedResults.ValidationProblem(result.Errors!, detail: "The suppression entry was not saved.");
        }).RequireWorkspacePermission(WorkspacePermission.TriageAlerts);
        group.MapPost("/{id:guid}/expire", async Task<Results<Ok<SuppressionView>, NotFound>> (Guid id, SuppressionService service, HttpContext http, CancellationToken ct) =>
            await service.ExpireAsync(id, http.User.DisplayName(), ct) is { } entry ? TypedResults.Ok(entry) : TypedResults.NotFound())
            .RequireWorkspacePermission(WorkspacePermission.TriageAlerts);

        // "Mark as expected": the entry the alert suggests, to edit and post to /suppressions.
        workspace.MapGet("/alerts/{alertId:guid}/suppression-draft", async Task<Results<Ok<SuppressionInput>, NotFound>> (Guid alertId, SuppressionService service,
            CancellationToken ct) => await service.DraftFromAlertAsync(alertId, ct) is { } draft ? TypedResults.Ok(draft) : TypedResults.NotFound())
            .WithTags("Suppressions");
    }
}
