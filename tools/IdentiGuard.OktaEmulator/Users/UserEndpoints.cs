using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.SystemLog;
using IdentiGuard.OktaEmulator.Tokens;

namespace IdentiGuard.OktaEmulator.Users;

/// <summary>/api/v1/users: get, lifecycle operations and session clearing (spec §9).</summary>
internal static class UserEndpoints
{
    private sealed record Lifecycle(
        string[] AllowedFrom, string? NewStatus, string EventType, string Message, bool ReturnsUser,
        int WrongStatusCode = 400);

    private static readonly Dictionary<string, Lifecycle> Operations = new(StringComparer.Ordinal)
    {
        ["suspend"] = new(["ACTIVE"], "SUSPENDED", "user.lifecycle.suspend", "Suspend Okta user", false),
        ["unsuspend"] = new(["SUSPENDED"], "ACTIVE", "user.lifecycle.unsuspend", "Unsuspend Okta user", false),
        ["reset_factors"] = new(["ACTIVE", "SUSPENDED", "LOCKED_OUT", "PASSWORD_EXPIRED", "RECOVERY"], null,
            "user.mfa.factor.reset_all", "Reset all factors for user", false),
        ["expire_password"] = new(["ACTIVE", "PASSWORD_EXPIRED", "RECOVERY"], "PASSWORD_EXPIRED",
            "user.account.expire_password", "User's Okta password is expired", true, 403),
        ["unlock"] = new(["LOCKED_OUT"], "ACTIVE", "user.account.unlock_by_admin", "Unlock user account by admin", false),
        ["deactivate"] = new(["ACTIVE", "SUSPENDED", "LOCKED_OUT", "PASSWORD_EXPIRED", "RECOVERY", "PROVISIONED", "STAGED"],
            "DEPROVISIONED", "user.lifecycle.deactivate", "Deactivate Okta user", false),
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/users/{id}", Get);
        app.MapPost("/api/v1/users/{id}/lifecycle/{operation}", Lifecycle_);
        app.MapDelete("/api/v1/users/{id}/sessions", ClearSessions);
    }

    private static IResult Get(HttpContext ctx, EmulatorState state, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.UsersRead) is { } denied) return denied;
        var user = state.FindUser(id);
        if (user is null) return OktaJson.NotFound(id);
        lock (state.Sync) return OktaJson.Json(user.ToJson(state.BaseUrl));
    }

    private static async Task<IResult> Lifecycle_(HttpContext ctx, EmulatorState state, OktaEmulator emulator, string id, string operation)
    {
        if (!Operations.TryGetValue(operation, out var op))
            return OktaJson.Error(404, "E0000007", "Not found: Resource not found: " + operation + " (Operation)");
        if (BearerAuth.Check(ctx, state, OktaScopes.UsersManage) is { } denied) return denied;
        var user = state.FindUser(id);
        if (user is null) return OktaJson.NotFound(id);
        lock (state.Sync)
        {
            if (!op.AllowedFrom.Contains(user.Status))
            {
                return op.WrongStatusCode == 403
                    ? OktaJson.Error(403, "E0000038", "This operation is not allowed in the user's current status.")
                    : OktaJson.ValidationFailed($"status: Cannot {operation} a user that is {user.Status}");
            }
            var now = state.Time.GetUtcNow();
            if (op.NewStatus is not null && op.NewStatus != user.Status)
            {
                user.Status = op.NewStatus;
                user.StatusChanged = now;
            }
            if (operation == "reset_factors") user.FactorResets++;
            user.LastUpdated = now;
        }
        // Like Okta, the action's System Log event also goes to event hooks subscribed to its (hook-eligible) type.
        await emulator.EmitAsync(state.ApiEvent(ctx, op.EventType, op.Message, new JsonArray(LogEventFactory.UserTarget(user))));
        lock (state.Sync) return OktaJson.Json(op.ReturnsUser ? user.ToJson(state.BaseUrl) : new JsonObject());
    }

    private static async Task<IResult> ClearSessions(HttpContext ctx, EmulatorState state, OktaEmulator emulator, string id)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.UsersManage) is { } denied) return denied;
        var user = state.FindUser(id);
        if (user is null) return OktaJson.NotFound(id);
        bool? oauthTokens = false, forgetDevices = true;
        if (!TryBool(ctx, "oauthTokens", ref oauthTokens) || !TryBool(ctx, "forgetDevices", ref forgetDevices))
            return OktaJson.ValidationFailed("oauthTokens/forgetDevices: must be true or false");
        lock (state.Sync)
        {
            user.SessionClears++;
            user.LastSessionClearOAuthTokens = oauthTokens;
            user.LastSessionClearForgetDevices = forgetDevices;
        }
        await emulator.EmitAsync(state.ApiEvent(ctx, "user.session.clear", "Clear user session",
            new JsonArray(LogEventFactory.UserTarget(user))));
        return Results.NoContent();
    }

    private static bool TryBool(HttpContext ctx, string name, ref bool? value)
    {
        if (!ctx.Request.Query.TryGetValue(name, out var text)) return true;
        if (!bool.TryParse(text.ToString(), out var b)) return false;
        value = b;
        return true;
    }
}
