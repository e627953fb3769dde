using IdentiGuard.Data;
using IdentiGuard.Server.Detection;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Workspaces;

/// <summary>
/// The HTTP gate for pages under <c>/w/{WorkspaceId}/…</c>: before a page is served, the caller must be a member
/// (<see cref="WorkspaceAccess"/>), and every other route value must name something that exists in that workspace
/// (looked up through the workspace filter). Anything else is a 404, exactly like the API. A route value this gate
/// does not know fails closed (500), so a new page cannot ship without a check here.
/// </summary>
public static class WorkspacePageGate
{
    public const string WorkspaceParameter = "WorkspaceId";

    /// <summary>"{literal before the parameter}/{parameter}" → does the id exist in the entered workspace?</summary>
    private static readonly Dictionary<string, Func<IServiceProvider, Guid, string, CancellationToken, Task<bool>>> Resolvers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tenants/TenantId"] = Db((db, value, ct) => Guid.TryParse(value, out var id) ? db.Tenants.AnyAsync(t => t.Id == id, ct) : Task.FromResult(false)),
        ["alerts/AlertId"] = Db((db, value, ct) => Guid.TryParse(value, out var id) ? db.Alerts.AnyAsync(a => a.Id == id, ct) : Task.FromResult(false)),
        ["events/Id"] = Db((db, value, ct) => long.TryParse(value, out var id) ? db.Events.AnyAsync(e => e.Id == id, ct) : Task.FromResult(false)),
        // A user or an IP "exists" in a workspace when its events name it (as the actor, or as the client address).
        ["users/Key"] = Db((db, value, ct) => db.Events.AnyAsync(e => e.ActorId == value.Trim() || e.ActorAlternateId == value.Trim(), ct)),
        ["ips/Ip"] = Db((db, value, ct) => db.Events.AnyAsync(e => e.ClientIp == value.Trim(), ct)),
        ["rules/RuleId"] = async (services, workspaceId, value, ct) => await services.GetRequiredService<RuleCatalog>().GetAsync(workspaceId, value, ct) is not null,
    };

    /// <summary>The route values the gate can check, for the isolation test's coverage assertion.</summary>
    public static IReadOnlyCollection<string> KnownParameters => Resolvers.Keys;

    public static IApplicationBuilder UseWorkspacePageGate(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint() is RouteEndpoint { } endpoint && endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null
            && endpoint.RoutePattern.Parameters.Any(p => p.Name == WorkspaceParameter) && http.User.Identity?.IsAuthenticated == true)
        {
            // Unknown ids and other workspaces' ids get the same answer, so neither is confirmed. (Inside an open page,
            // following a stale link shows the page's own "not found" instead: the circuit loads nothing outside the workspace.)
            if (!await AllowedAsync(http, endpoint.RoutePattern))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
        }
        await next(http);
    });

    private static async Task<bool> AllowedAsync(HttpContext http, RoutePattern pattern)
    {
        if (!Guid.TryParse(http.Request.RouteValues[WorkspaceParameter]?.ToString(), out var workspaceId)) return false;
        var access = http.RequestServices.GetRequiredService<WorkspaceAccess>();
        if (await access.EnterAsync(http.User, workspaceId, ct: http.RequestAborted) is null) return false;

        foreach (var (key, parameter) in Keys(pattern))
        {
            if (!Resolvers.TryGetValue(key, out var exists))
                throw new InvalidOperationException($"The page route {pattern.RawText} has the parameter {parameter}, which {nameof(WorkspacePageGate)} cannot check; add it there.");
            var value = http.Request.RouteValues[parameter]?.ToString() ?? "";
            if (!await exists(http.RequestServices, workspaceId, value, http.RequestAborted)) return false;
        }
        return true;
    }

    /// <summary>Each non-workspace parameter keyed by the literal segment before it (e.g. <c>alerts/AlertId</c>).</summary>
    public static IEnumerable<(string Key, string Parameter)> Keys(RoutePattern pattern)
    {
        string previous = "";
        foreach (var segment in pattern.PathSegments)
        {
            if (segment.IsSimple && segment.Parts[0] is RoutePatternLiteralPart literal) previous = literal.Content;
            foreach (var part in segment.Parts.OfType<RoutePatternParameterPart>())
                if (part.Name != WorkspaceParameter) yield return ($"{previous}/{part.Name}", part.Name);
        }
    }

    /// <summary>A lookup through a context of the request's scope: the workspace filter applies.</summary>
    private static Func<IServiceProvider, Guid, string, CancellationToken, Task<bool>> Db(Func<IdentiGuardDbContext, string, CancellationToken, Task<bool>> query)
        => async (services, _, value, ct) =>
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<IdentiGuardDbContext>>().CreateDbContextAsync(ct);
            return await query(db, value, ct);
        };
}
