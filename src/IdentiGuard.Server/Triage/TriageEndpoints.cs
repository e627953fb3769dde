using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Triage;

public sealed record StatusInput(AlertStatus? Status, string? Reason);

public sealed record AssigneeInput(Guid? AssigneeId);

public sealed record CommentInput(string? Text);

public sealed record BulkTriageInput(IReadOnlyList<Guid>? AlertIds, AlertStatus? Status, string? Reason, Guid? AssigneeId, bool Unassign, string? Comment);

public sealed record TriageOutcome(int Changed);

/// <summary>Triage under <c>/api/workspaces/{id}/alerts</c>: viewers read history and incidents, analysts change alerts.</summary>
public static class TriageEndpoints
{
    public static void MapTriageEndpoints(this RouteGroupBuilder alerts)
    {
        alerts.MapGet("/{alertId:guid}/history", async Task<Results<Ok<IReadOnlyList<AlertHistoryItem>>, NotFound>> (Guid alertId, AlertHistory history,
            Alerts.AlertQueries queries, CancellationToken ct) =>
            await queries.GetAsync(alertId, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await history.ListAsync(alertId, ct)));
        alerts.MapGet("/{alertId:guid}/incident", async Task<Results<Ok<AlertIncident>, NotFound>> (Guid alertId, AlertIncidents incidents, CancellationToken ct) =>
            await incidents.GetAsync(alertId, ct) is { } incident ? TypedResults.Ok(incident) : TypedResults.NotFound());
        alerts.MapGet("/assignees", async (AlertTriage triage, CancellationToken ct) => TypedResults.Ok(await triage.AssigneesAsync(ct)));

        alerts.MapPost("/{alertId:guid}/status", (Guid alertId, StatusInput input, AlertTriage triage, HttpContext http, CancellationToken ct) =>
                ApplyAsync(triage, http, new TriageChange([alertId], input.Status, input.Reason), ct, input.Status is null
                    ? new Dictionary<string, string[]> { ["status"] = [$"Set a status: {string.Join(", ", Enum.GetNames<AlertStatus>())}."] }
                    : null))
            .RequireWorkspacePermission(WorkspacePermission.TriageAlerts);
        alerts.MapPost("/{alertId:guid}/assignee", (Guid alertId, AssigneeInput input, AlertTriage triage, HttpContext http, CancellationToken ct) =>
                ApplyAsync(triage, http, new TriageChange([alertId], AssigneeId: input.AssigneeId, Unassign: input.AssigneeId is null), ct))
            .RequireWorkspacePermission(WorkspacePermission.TriageAlerts);
        alerts.MapPost("/{alertId:guid}/comments", (Guid alertId, CommentInput input, AlertTriage triage, HttpContext http, CancellationToken ct) =>
                ApplyAsync(triage, http, new TriageChange([alertId], Comment: input.Text), ct))
            .RequireWorkspacePermission(WorkspacePermission.TriageAlerts);
        alerts.MapPost("/bulk", (BulkTriageInput input, AlertTriage triage, HttpContext http, CancellationToken ct) =>
                ApplyAsync(triage, http, new TriageChange(input.AlertIds ?? [], input.Status, input.Reason, input.AssigneeId, input.Unassign, input.Comment), ct))
            .RequireWorkspacePermission(WorkspacePermission.TriageAlerts);

        alerts.MapGet("/views", async (HttpContext http, SavedViews views, CancellationToken ct) => TypedResults.Ok(await views.ListAsync(http.User.UserId()!.Value, ct)));
        alerts.MapPost("/views", async Task<Results<Ok<SavedViewItem>, ValidationProblem>> (SavedViewInput input, HttpContext http, SavedViews views, CancellationToken ct) =>
        {
            var (view, errors) = await views.SaveAsync(http.User.UserId()!.Value, input, ct);
            return view is null ? TypedResults.ValidationProblem(errors!) : TypedResults.Ok(view);
        }).RequireWorkspacePermission(WorkspacePermission.KeepPersonalViews);
        alerts.MapDelete("/views/{viewId:guid}", async Task<Results<NoContent, NotFound>> (Guid viewId, HttpContext http, SavedViews views, CancellationToken ct) =>
            await views.DeleteAsync(http.User.UserId()!.Value, viewId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .RequireWorkspacePermission(WorkspacePermission.KeepPersonalViews);
    }

    private static async Task<Results<Ok<TriageOutcome>, ValidationProblem, NotFound>> ApplyAsync(AlertTriage triage, HttpContext http, TriageChange change,
        CancellationToken ct, IReadOnlyDictionary<string, string[]>? requestErrors = null)
    {
        var result = await triage.ApplyAsync(change, new TriageActor(http.User.UserId()!.Value, http.User.DisplayName()), ct, requestErrors);
        if (result.NotFound) return TypedResults.NotFound();
        return result.Errors is { } errors ? TypedResults.ValidationProblem(errors, detail: "Nothing was changed.") : TypedResults.Ok(new TriageOutcome(result.Changed));
    }
}
