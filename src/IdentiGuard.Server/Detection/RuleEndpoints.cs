using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Detection;

public static class RuleEndpoints
{
    /// <summary>Detection rules of a workspace: <c>/api/workspaces/{workspaceId}/rules</c>.</summary>
    public static void MapRuleEndpoints(this RouteGroupBuilder workspace)
    {
        var rules = workspace.MapGroup("/rules").WithTags("Rules");
        rules.MapGet("/", async (Guid workspaceId, RuleCatalog catalog, CancellationToken ct) => TypedResults.Ok(await catalog.ListAsync(workspaceId, ct)));
        rules.MapGet("/custom", async (Guid workspaceId, RuleCatalog catalog, CancellationToken ct) => TypedResults.Ok(await catalog.ListCustomAsync(workspaceId, ct)));
        rules.MapPost("/validate", async (Guid workspaceId, RuleValidationInput input, RuleCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok(await catalog.ValidateAsync(workspaceId, input.FileName, input.Yaml, ct))).RequireWorkspacePermission(WorkspacePermission.View);
        rules.MapPut("/custom/{fileName}", SaveCustomAsync).RequireWorkspacePermission(WorkspacePermission.ManageRules);
        rules.MapDelete("/custom/{fileName}", DeleteCustomAsync).RequireWorkspacePermission(WorkspacePermission.ManageRules);
        rules.MapGet("/{ruleId}", async Task<Results<Ok<RuleView>, NotFound>> (Guid workspaceId, string ruleId, RuleCatalog catalog, CancellationToken ct) =>
            await catalog.GetAsync(workspaceId, ruleId, ct) is { } rule ? TypedResults.Ok(rule) : TypedResults.NotFound());
        rules.MapPut("/{ruleId}/settings", UpdateSettingsAsync).RequireWorkspacePermission(WorkspacePermission.ManageRules);
    }

    private static async Task<Results<Ok<RuleView>, ValidationProblem, NotFound>> UpdateSettingsAsync(Guid workspaceId, string ruleId, RuleSettingsInput input,
        RuleCatalog catalog, HttpContext http, CancellationToken ct)
    {
        var result = await catalog.UpdateSettingsAsync(workspaceId, ruleId, input, http.User.DisplayName(), ct);
        if (result is null) return TypedResults.NotFound();
        return result.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.Ok(result.Rule!);
    }

    private static async Task<Results<Created<CustomRuleView>, Ok<CustomRuleView>, ValidationProblem>> SaveCustomAsync(Guid workspaceId, string fileName,
        CustomRuleInput input, RuleCatalog catalog, HttpContext http, CancellationToken ct)
    {
        var result = await catalog.SaveCustomAsync(workspaceId, fileName, input.Yaml, http.User.DisplayName(), ct);
        if (result.Rule is not { } rule)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["yaml"] = [.. result.Validation.Messages] },
                detail: "The rule file is not valid: nothing was saved.");
        return result.Created
            ? TypedResults.Created($"/api/workspaces/{workspaceId}/rules/custom/{Uri.EscapeDataString(rule.FileName)}", rule)
            : TypedResults.Ok(rule);
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteCustomAsync(Guid workspaceId, string fileName, RuleCatalog catalog,
        HttpContext http, CancellationToken ct)
    {
        var result = await catalog.DeleteCustomAsync(workspaceId, fileName, http.User.DisplayName(), ct);
        if (!result.Found) return TypedResults.NotFound();
        return result.Errors.Count > 0
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["fileName"] = [.. result.Errors] })
            : TypedResults.NoContent();
    }
}
