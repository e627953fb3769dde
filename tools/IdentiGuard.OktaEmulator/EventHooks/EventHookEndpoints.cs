using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.SystemLog;
using IdentiGuard.OktaEmulator.Tokens;

namespace IdentiGuard.OktaEmulator.EventHooks;

/// <summary>/api/v1/eventHooks — list/create/get/replace/delete/activate/deactivate/verify.</summary>
internal static class EventHookEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/eventHooks", List);
        app.MapPost("/api/v1/eventHooks", Create);
        app.MapGet("/api/v1/eventHooks/{id}", Get);
        app.MapPut("/api/v1/eventHooks/{id}", Replace);
        app.MapDelete("/api/v1/eventHooks/{id}", Delete);
        app.MapPost("/api/v1/eventHooks/{id}/lifecycle/activate", Activate);
        app.MapPost("/api/v1/eventHooks/{id}/lifecycle/deactivate", Deactivate);
        app.MapPost("/api/v1/eventHooks/{id}/lifecycle/verify", Verify);
    }

    private static IResult List(HttpContext ctx, EmulatorState state)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksRead) is { } denied) return denied;
        var arr = new JsonArray();
        lock (state.Sync)
            foreach (var h in state.Hooks) arr.Add(h.ToJson(state.BaseUrl));
        return OktaJson.Json(arr);
    }

    private static IResult Get(HttpContext ctx, EmulatorState state, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksRead) is { } denied) return denied;
        lock (state.Sync)
        {
            var hook = state.Hooks.FirstOrDefault(h => h.Id == id);
            return hook is null ? OktaJson.NotFound(id) : OktaJson.Json(hook.ToJson(state.BaseUrl));
        }
    }

    private static async Task<IResult> Create(HttpContext ctx, EmulatorState state)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksManage) is { } denied) return denied;
        if (await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted) is not JsonObject body) return OktaJson.MalformedBody();
        var (def, causes) = EventHookValidator.Validate(body, state.Catalog, state.Options.LoopbackTestMode);
        if (def is null) return OktaJson.ValidationFailed(causes);

        EventHook hook;
        lock (state.Sync)
        {
            if (ActiveCount(state) >= EventHookValidator.MaxActiveHooks)
                return ActiveLimitError();
            var now = state.Time.GetUtcNow();
            hook = new EventHook
            {
                Id = Ids.HookId(),
                Name = def.Name,
                Description = def.Description,
                Created = now,
                LastUpdated = now,
                CreatedBy = ctx.Items[HttpItems.ClientId] as string,
                EventTypes = def.EventTypes,
                Filter = def.Filter,
                Channel = def.Channel,
            };
            state.Hooks.Add(hook);
        }
        Audit(ctx, state, "event_hook.created", "Event hook created", hook);
        lock (state.Sync) return OktaJson.Json(hook.ToJson(state.BaseUrl));
    }

    // PUT replaces the whole hook. Choice (Okta requires the full object): if the body omits
    // channel.config.authScheme entirely, the hook is replaced without an auth header; if authScheme is
    // present, its value is required again (write-only fields are never echoed, so clients must resend them).
    // Any channel change (uri, headers, authScheme) resets verificationStatus to UNVERIFIED.
    private static async Task<IResult> Replace(HttpContext ctx, EmulatorState state, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksManage) is { } denied) return denied;
        lock (state.Sync)
            if (state.Hooks.All(h => h.Id != id)) return OktaJson.NotFound(id);
        if (await OktaJson.ReadBodyAsync(ctx.Request, ctx.RequestAborted) is not JsonObject body) return OktaJson.MalformedBody();
        var (def, causes) = EventHookValidator.Validate(body, state.Catalog, state.Options.LoopbackTestMode);
        if (def is null) return OktaJson.ValidationFailed(causes);

        EventHook? hook;
        lock (state.Sync)
        {
            hook = state.Hooks.FirstOrDefault(h => h.Id == id);
            if (hook is null) return OktaJson.NotFound(id);
            if (!hook.Channel.SameAs(def.Channel)) hook.VerificationStatus = "UNVERIFIED";
            hook.Name = def.Name;
            hook.Description = def.Description;
            hook.EventTypes = def.EventTypes;
            hook.Filter = def.Filter;
            hook.Channel = def.Channel;
            hook.LastUpdated = state.Time.GetUtcNow();
        }
        Audit(ctx, state, "event_hook.updated", "Event hook updated", hook);
        lock (state.Sync) return OktaJson.Json(hook.ToJson(state.BaseUrl));
    }

    private static IResult Delete(HttpContext ctx, EmulatorState state, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksManage) is { } denied) return denied;
        EventHook? hook;
        lock (state.Sync)
        {
            hook = state.Hooks.FirstOrDefault(h => h.Id == id);
            if (hook is null) return OktaJson.NotFound(id);
            if (hook.Status != "INACTIVE")
                return OktaJson.ValidationFailed("status: Only INACTIVE event hooks can be deleted; deactivate the event hook first");
            state.Hooks.Remove(hook);
        }
        Audit(ctx, state, "event_hook.deleted", "Event hook deleted", hook);
        return Results.NoContent();
    }

    private static IResult Activate(HttpContext ctx, EmulatorState state, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksManage) is { } denied) return denied;
        EventHook? hook;
        bool changed;
        lock (state.Sync)
        {
            hook = state.Hooks.FirstOrDefault(h => h.Id == id);
            if (hook is null) return OktaJson.NotFound(id);
            changed = hook.Status != "ACTIVE";
            if (changed)
            {
                if (ActiveCount(state) >= EventHookValidator.MaxActiveHooks) return ActiveLimitError();
                hook.Status = "ACTIVE";
                hook.LastUpdated = state.Time.GetUtcNow();
            }
        }
        if (changed) Audit(ctx, state, "event_hook.activated", "Event hook activated", hook);
        lock (state.Sync) return OktaJson.Json(hook.ToJson(state.BaseUrl));
    }

    private static IResult Deactivate(HttpContext ctx, EmulatorState state, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksManage) is { } denied) return denied;
        EventHook? hook;
        bool changed;
        lock (state.Sync)
        {
            hook = state.Hooks.FirstOrDefault(h => h.Id == id);
            if (hook is null) return OktaJson.NotFound(id);
            changed = hook.Status != "INACTIVE";
            hook.Status = "INACTIVE";
            if (changed) hook.LastUpdated = state.Time.GetUtcNow();
        }
        if (changed) Audit(ctx, state, "event_hook.deactivated", "Event hook deactivated", hook);
        lock (state.Sync) return OktaJson.Json(hook.ToJson(state.BaseUrl));
    }

    private static async Task<IResult> Verify(HttpContext ctx, EmulatorState state, HookVerifier verifier, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.EventHooksManage) is { } denied) return denied;
        EventHook? hook;
        HookChannel channel;
        lock (state.Sync)
        {
            hook = state.Hooks.FirstOrDefault(h => h.Id == id);
            if (hook is null) return OktaJson.NotFound(id);
            channel = hook.Channel;
        }
        var failure = await verifier.VerifyAsync(id, channel, ctx.RequestAborted);
        lock (state.Sync)
        {
            // Only record the result if the channel was not replaced meanwhile.
            if (failure is null && ReferenceEquals(hook.Channel, channel))
            {
                hook.VerificationStatus = "VERIFIED";
                hook.LastUpdated = state.Time.GetUtcNow();
            }
        }
        Audit(ctx, state, "event_hook.verified", "Event hook verification", hook,
            failure is null ? "SUCCESS" : "FAILURE", failure);
        if (failure is not null)
            return OktaJson.ValidationFailed("Verification failed: " + failure);
        lock (state.Sync) return OktaJson.Json(hook.ToJson(state.BaseUrl));
    }

    private static int ActiveCount(EmulatorState state) => state.Hooks.Count(h => h.Status == "ACTIVE");

    private static IResult ActiveLimitError() =>
        OktaJson.ValidationFailed($"status: Your org can have at most {EventHookValidator.MaxActiveHooks} active event hooks");

    private static void Audit(HttpContext ctx, EmulatorState state, string type, string message, EventHook hook,
        string result = "SUCCESS", string? reason = null)
    {
        string uri, name;
        lock (state.Sync)
        {
            uri = hook.Channel.Uri;
            name = hook.Name;
        }
        var target = new JsonArray(LogEventFactory.Target(hook.Id, "EventHook", uri, name));
        state.Log.Append(state.ApiEvent(ctx, type, message, target, result, reason));
    }
}
