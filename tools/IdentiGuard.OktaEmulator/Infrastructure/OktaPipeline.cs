using System.Text;

namespace IdentiGuard.OktaEmulator.Infrastructure;

/// <summary>Request id, rate-limit headers/429s and request recording for every request.</summary>
internal static class OktaPipeline
{
    public static void Use(WebApplication app, EmulatorState state)
    {
        app.Use(async (ctx, next) =>
        {
            var requestId = Ids.RequestId();
            ctx.Items[HttpItems.RequestId] = requestId;
            ctx.Response.Headers["X-Okta-Request-Id"] = requestId;
            try
            {
                var bucket = Bucket(ctx.Request.Path, state.Options);
                if (bucket is { } b)
                {
                    var decision = state.RateLimiter.Take(b.Name, b.Limit);
                    ctx.Response.Headers["X-Rate-Limit-Limit"] = decision.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    ctx.Response.Headers["X-Rate-Limit-Remaining"] = decision.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    ctx.Response.Headers["X-Rate-Limit-Reset"] = decision.ResetEpochSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (!decision.Allowed)
                    {
                        var summary = b.Name == "token"
                            ? "You exceeded the maximum number of requests. Try again in a while."
                            : "API call exceeded rate limit due to too many requests.";
                        ctx.Response.StatusCode = 429;
                        ctx.Response.ContentType = "application/json";
                        await ctx.Response.WriteAsync(OktaJson.ErrorBody("E0000047", summary).ToJsonString(), Encoding.UTF8);
                        return;
                    }
                }
                await next(ctx);
                await WriteRoutingErrorAsync(ctx);
            }
            finally
            {
                state.Requests.Enqueue(new RecordedRequest(ctx.Request.Method,
                    ctx.Request.Path.Value + ctx.Request.QueryString.Value, ctx.Response.StatusCode, requestId,
                    ctx.Items[HttpItems.ClientId] as string, state.Time.GetUtcNow()));
            }
        });
    }

    /// <summary>Okta error bodies for unknown /api/v1 routes (404 E0000007) and wrong methods (405 E0000022).</summary>
    private static async Task WriteRoutingErrorAsync(HttpContext ctx)
    {
        if (ctx.Response.HasStarted || !ctx.Request.Path.StartsWithSegments("/api/v1")) return;
        var body = ctx.Response.StatusCode switch
        {
            404 when ctx.GetEndpoint() is null => OktaJson.ErrorBody("E0000007", $"Not found: Resource not found: {ctx.Request.Path} (Resource)"),
            405 => OktaJson.ErrorBody("E0000022", "The endpoint does not support the provided HTTP method"),
            _ => null,
        };
        if (body is null) return;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }

    private static (string Name, int Limit)? Bucket(PathString path, OktaEmulatorOptions o)
    {
        if (path.StartsWithSegments("/oauth2/v1/token")) return ("token", o.TokenRateLimitPerMinute);
        if (path.StartsWithSegments("/api/v1/logs")) return ("logs", o.LogsRateLimitPerMinute);
        if (path.StartsWithSegments("/api/v1/eventHooks")) return ("eventHooks", o.ManagementRateLimitPerMinute);
        if (path.StartsWithSegments("/api/v1/users")) return ("users", o.ManagementRateLimitPerMinute);
        if (path.StartsWithSegments("/api/v1")) return ("management", o.ManagementRateLimitPerMinute);
        return null;
    }
}
