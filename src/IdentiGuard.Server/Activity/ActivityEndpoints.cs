using IdentiGuard.Data.Activity;

namespace IdentiGuard.Server.Activity;

public static class ActivityEndpoints
{
    public static IServiceCollection AddActivity(this IServiceCollection services) => services.AddScoped<ActivityLog>();

    public static void MapActivityEndpoints(this RouteGroupBuilder workspace)
        => workspace.MapGet("/activity", async (Guid? tenantId, string? search, ActivityOutcome? outcome, int? skip, int? take, ActivityLog log, CancellationToken ct) =>
                TypedResults.Ok(await log.QueryAsync(new ActivityQuery(tenantId, search, outcome, skip ?? 0, take ?? 100), ct)))
            .WithTags("Activity");
}
