using IdentiGuard.Data.Alerts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Alerts;

public static class AlertEndpoints
{
    public static void MapAlertEndpoints(this RouteGroupBuilder workspace)
    {
        var alerts = workspace.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapGet("/", async (Guid? tenantId, AlertSeverity? minSeverity, string? eventType, string? search, AlertKind? kind, int? skip, int? take, AlertQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.ListAsync(new AlertFilter(tenantId, minSeverity, eventType, search, kind, skip ?? 0, take ?? 50), ct)));
        alerts.MapGet("/{alertId:guid}", async Task<Results<Ok<AlertDetail>, NotFound>> (Guid alertId, AlertQueries queries, CancellationToken ct) =>
            await queries.GetAsync(alertId, ct) is { } alert ? TypedResults.Ok(alert) : TypedResults.NotFound());
    }
}
