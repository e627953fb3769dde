using IdentiGuard.Data.Response;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Response;

public static class ResponseEndpoints
{
    /// <summary>
    /// <c>/api/workspaces/{id}/responses</c>. POST answers 201 when Okta carried the action out, 202 when it waits for
    /// approval, 409 (problem details, with the recorded action) when it failed or could not run (missing scope, wrong
    /// user status), 400 for bad input.
    /// </summary>
    public static void MapResponseEndpoints(this RouteGroupBuilder workspace)
    {
        var group = workspace.MapGroup("/responses").WithTags("Response actions");
        group.MapGet("/", async (Guid? alertId, ResponseStatus? status, int? take, ResponseService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAsync(alertId, status, take ?? 100, ct)));
        group.MapGet("/{actionId:guid}", async Task<Results<Ok<ResponseActionView>, NotFound>> (Guid actionId, ResponseService service, CancellationToken ct) =>
            await service.GetAsync(actionId, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound());
        group.MapPost("/", async (Guid workspaceId, ResponseRequest input, ResponseService service, HttpContext http, CancellationToken ct) =>
            ToResult(workspaceId, await service.RequestAsync(workspaceId, input, http.User.UserId()!.Value, http.User.DisplayName(), ct)))
            .RequireWorkspacePermission(WorkspacePermission.RunResponseActions);
        group.MapPost("/{actionId:guid}/approve", async (Guid workspaceId, Guid actionId, ResponseService service, HttpContext http, CancellationToken ct) =>
            ToResult(workspaceId, await service.ApproveAsync(actionId, http.User.UserId()!.Value, http.User.DisplayName(), ct)))
            .RequireWorkspacePermission(WorkspacePermission.RunResponseActions);
        group.MapPost("/{actionId:guid}/reject", async (Guid workspaceId, Guid actionId, ResponseService service, HttpContext http, CancellationToken ct) =>
            ToResult(workspaceId, await service.RejectAsync(actionId, http.User.DisplayName(), ct)))
            .RequireWorkspacePermission(WorkspacePermission.RunResponseActions);
        group.MapPost("/{actionId:guid}/reverse", async (Guid workspaceId, Guid actionId, ResponseService service, HttpContext http, CancellationToken ct) =>
            ToResult(workspaceId, await service.ReverseAsync(actionId, http.User.UserId()!.Value, http.User.DisplayName(), ct)))
            .RequireWorkspacePermission(WorkspacePermission.RunResponseActions);

        group.MapGet("/settings", async (ResponseSettingsService settings, CancellationToken ct) => TypedResults.Ok(await settings.GetAsync(ct)));
        group.MapPut("/settings", async (Guid workspaceId, ResponseSettingsInput input, ResponseSettingsService settings, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await settings.SetAsync(workspaceId, input, http.User.DisplayName(), ct)))
            .RequireWorkspacePermission(WorkspacePermission.ManageSettings);
        group.MapGet("/automatic", async (ResponseSettingsService settings, CancellationToken ct) => TypedResults.Ok(await settings.ListAutomaticAsync(ct)));
        group.MapPut("/automatic/{ruleId}", async Task<Results<NoContent, ValidationProblem, NotFound>> (Guid workspaceId, string ruleId, AutomaticResponseInput input, ResponseSettingsService settings, HttpContext http, CancellationToken ct) =>
            await settings.SetAutomaticAsync(workspaceId, ruleId, input, http.User.DisplayName(), ct) switch
            {
                { RuleNotFound: true } => TypedResults.NotFound(),
                { Errors: { } errors } => TypedResults.ValidationProblem(errors.ToDictionary()),
                _ => TypedResults.NoContent(),
            })
            .RequireWorkspacePermission(WorkspacePermission.ManageSettings);
        group.MapDelete("/automatic/{ruleId}", async Task<Results<NoContent, NotFound>> (Guid workspaceId, string ruleId, ResponseSettingsService settings, HttpContext http, CancellationToken ct) =>
            await settings.RemoveAutomaticAsync(workspaceId, ruleId, http.User.DisplayName(), ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .RequireWorkspacePermission(WorkspacePermission.ManageSettings);
    }

    private static IResult ToResult(Guid workspaceId, ResponseOutcome outcome)
    {
        if (outcome.NotFound) return TypedResults.NotFound();
        if (outcome.Errors is { } errors) return TypedResults.ValidationProblem(errors.ToDictionary());
        if (outcome.Conflict is { } conflict) return TypedResults.Problem(conflict, statusCode: StatusCodes.Status409Conflict, title: "The action cannot be taken");
        var action = outcome.Action!;
        var location = $"/api/workspaces/{workspaceId}/responses/{action.Id}";
        return action.Status switch
        {
            ResponseStatus.PendingApproval => TypedResults.Accepted(location, action),
            ResponseStatus.Failed => TypedResults.Problem(action.Result, statusCode: StatusCodes.Status409Conflict,
                title: action.OktaErrorCode == "insufficient_scope" ? "Missing Okta scope okta.users.manage" : "Okta did not carry out the action",
                extensions: new Dictionary<string, object?> { ["action"] = action }),
            ResponseStatus.Succeeded when action.DecidedBy is null => TypedResults.Created(location, action),
            _ => TypedResults.Ok(action),
        };
    }
}
