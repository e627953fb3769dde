using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.SystemLog;

namespace IdentiGuard.OktaEmulator.Admin;

/// <summary>/_emulator/* JSON control plane for standalone use (browser tests, demos). Not part of Okta.</summary>
internal static class ControlPlane
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app)
    {
        var g = app.MapGroup("/_emulator");
        g.MapGet("/state", State);
        g.MapGet("/systemlog", (OktaEmulator em) => OktaJson.Json(new JsonArray(em.SystemLog.Select(e => (JsonNode)e).ToArray())));
        g.MapGet("/deliveries", (OktaEmulator em) => Results.Json(em.Deliveries, Web));
        g.MapGet("/requests", (OktaEmulator em) => Results.Json(em.Requests, Web));
        g.MapGet("/hooks", (OktaEmulator em) => Results.Json(em.Hooks, Web));
        g.MapPost("/events", EmitEvent);
        g.MapPost("/deliveries/drop", Drop);
        g.MapPost("/logs/unavailable", LogsUnavailable);
        g.MapGet("/users", (OktaEmulator em, EmulatorState s) =>
        {
            lock (s.Sync) return OktaJson.Json(new JsonArray(s.Users.Select(u => (JsonNode)u.ToJson(s.BaseUrl)).ToArray()));
        });
        g.MapPost("/users", AddUser);
        g.MapPost("/users/{id}/status", SetUserStatus);
        g.MapPost("/hooks/{id}/preview", Preview);
        g.MapGet("/hooks/{id}/preview", PreviewBody);
    }

    private static IResult State(OktaEmulator em, EmulatorState s) => OktaJson.Json(new JsonObject
    {
        ["baseUrl"] = em.BaseUrl,
        ["clientId"] = em.SeedClient.ClientId,
        ["adminUrl"] = em.BaseUrl + "/admin/event-hooks",
        ["loopbackTestMode"] = s.Options.LoopbackTestMode,
        ["hooks"] = JsonSerializer.SerializeToNode(em.Hooks.Select(h => new
        {
            h.Id, h.Name, h.Status, h.VerificationStatus, h.Uri, h.EventTypes,
        }), Web),
        ["systemLogCount"] = s.Log.MaxSeq,
        ["deliveryAttempts"] = em.Deliveries.Count,
        ["requestCount"] = em.Requests.Count,
    });

    /// <summary>Body: a full LogEvent, or {"eventType": "...", "actorLogin"?: "...", "targetLogin"?: "...", "outcome"?: "..."} built with LogEventFactory.</summary>
    private static async Task<IResult> EmitEvent(HttpContext ctx, OktaEmulator em)
    {
        if (await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted) is not JsonObject body || OktaJson.GetString(body, "eventType") is not { } type)
            return OktaJson.Error(400, "E0000003", "The request body was not well-formed.", "eventType is required");
        JsonObject ev = body;
        if (ctx.Request.Query["build"] == "true")
        {
            var actor = OktaJson.GetString(body, "actorLogin") is { } a ? em.FindUser(a) : null;
            var target = OktaJson.GetString(body, "targetLogin") is { } t ? em.FindUser(t) : null;
            ev = LogEventFactory.Create(type, actor, target, OktaJson.GetString(body, "outcome") ?? "SUCCESS",
                OktaJson.GetString(body, "reason"), OktaJson.GetString(body, "clientIp"));
        }
        try
        {
            var uuid = await em.EmitAsync(ev, ctx.RequestAborted);
            return OktaJson.Json(new JsonObject { ["uuid"] = uuid });
        }
        catch (ArgumentException ex)
        {
            return OktaJson.Error(400, "E0000001", "Api validation failed", ex.Message);
        }
    }

    private static async Task<IResult> Drop(HttpContext ctx, OktaEmulator em)
    {
        var body = await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted);
        var count = body?["count"] is JsonValue v && v.TryGetValue<int>(out var c) ? c : 1;
        em.DropNextDeliveries(count);
        return OktaJson.Json(new JsonObject { ["dropping"] = count });
    }

    private static async Task<IResult> LogsUnavailable(HttpContext ctx, OktaEmulator em)
    {
        var body = await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted);
        var flag = body?["unavailable"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        em.SetLogsUnavailable(flag);
        return OktaJson.Json(new JsonObject { ["unavailable"] = flag });
    }

    private static async Task<IResult> AddUser(HttpContext ctx, OktaEmulator em, EmulatorState s)
    {
        var body = await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted);
        var login = OktaJson.GetString(body, "login");
        if (string.IsNullOrEmpty(login)) return OktaJson.ValidationFailed("login: The field cannot be left blank");
        try
        {
            var user = em.AddUser(login, OktaJson.GetString(body, "firstName") ?? "Test", OktaJson.GetString(body, "lastName") ?? "User");
            lock (s.Sync) return OktaJson.Json(user.ToJson(s.BaseUrl));
        }
        catch (InvalidOperationException ex)
        {
            return OktaJson.ValidationFailed(ex.Message);
        }
    }

    private static async Task<IResult> SetUserStatus(HttpContext ctx, OktaEmulator em, string id)
    {
        var body = await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted);
        var status = OktaJson.GetString(body, "status");
        if (string.IsNullOrEmpty(status)) return OktaJson.ValidationFailed("status: required");
        if (em.FindUser(id) is null) return OktaJson.NotFound(id);
        em.SetUserStatus(id, status);
        return OktaJson.Json(new JsonObject { ["status"] = status });
    }

    private static async Task<IResult> Preview(HttpContext ctx, OktaEmulator em, string id)
    {
        var body = await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted);
        var type = OktaJson.GetString(body, "eventType");
        if (type is null) return OktaJson.ValidationFailed("eventType: required");
        try
        {
            var r = await em.PreviewDeliverAsync(id, type, OktaJson.GetString(body, "body"), ctx.RequestAborted);
            return Results.Json(r, Web);
        }
        catch (KeyNotFoundException)
        {
            return OktaJson.NotFound(id);
        }
        catch (ArgumentException ex)
        {
            return OktaJson.ValidationFailed(ex.Message);
        }
    }

    private static IResult PreviewBody(OktaEmulator em, string id, string eventType)
    {
        try
        {
            return Results.Content(em.PreviewBody(id, eventType), "application/json");
        }
        catch (KeyNotFoundException)
        {
            return OktaJson.NotFound(id);
        }
        catch (ArgumentException ex)
        {
            return OktaJson.ValidationFailed(ex.Message);
        }
    }
}
