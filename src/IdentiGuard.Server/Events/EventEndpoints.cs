using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentiGuard.Server.Events;

public static class EventEndpoints
{
    public static void MapEventEndpoints(this RouteGroupBuilder workspace)
    {
        var events = workspace.MapGroup("/events").WithTags("Events");
        events.MapGet("/", SearchAsync);
        events.MapGet("/{id:long}", async Task<Results<Ok<EventDetail>, NotFound>> (long id, EventQueries queries, CancellationToken ct) =>
            await queries.GetAsync(id, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound());
    }

    /// <summary>Stored events, newest first, filtered with Okta's System Log filter syntax.</summary>
    private static async Task<Results<Ok<EventPage>, ValidationProblem>> SearchAsync(string? filter, Guid? tenantId, DateTimeOffset? since, DateTimeOffset? until,
        int? skip, int? take, EventQueries queries, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await queries.SearchAsync(new EventSearch(filter, tenantId, since?.UtcDateTime, until?.UtcDateTime, skip ?? 0, take ?? 50), ct));
        }
        catch (OktaFilterException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["filter"] = [ex.Message] },
                detail: ex.Message, extensions: new Dictionary<string, object?> { ["position"] = ex.Position });
        }
    }
}
