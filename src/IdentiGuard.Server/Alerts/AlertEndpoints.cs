using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Entities;
using IdentiGuard.Server.Export;
using IdentiGuard.Server.Suppression;
using IdentiGuard.Server.Triage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Alerts;

public static class AlertEndpoints
{
    public static void MapAlertEndpoints(this RouteGroupBuilder workspace)
    {
        var alerts = workspace.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapGet("/", ListAsync);
        alerts.MapGet("/{alertId:guid}", async Task<Results<Ok<AlertDetail>, NotFound>> (Guid alertId, AlertQueries queries, CancellationToken ct) =>
            await queries.GetAsync(alertId, ct) is { } alert ? TypedResults.Ok(alert) : TypedResults.NotFound());

        alerts.MapTriageEndpoints();
        alerts.MapExportEndpoints();
        workspace.MapSuppressionEndpoints();
        workspace.MapEntityEndpoints();
    }

    private static async Task<Results<Ok<AlertPage>, ValidationProblem>> ListAsync(HttpContext http, int? skip, int? take, AlertQueries queries, CancellationToken ct)
    {
        var (view, errors) = AlertViewFilter.FromQuery(http.Request.Query);
        if (view is null) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await queries.ListAsync(view.ToFilter(http.User.UserId(), skip ?? 0, take ?? 50), ct));
    }
}
