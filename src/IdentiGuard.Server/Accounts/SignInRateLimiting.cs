using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Accounts;

/// <summary>
/// Limits sign-in attempts per client IP address (a fixed window), on top of the per-account lockout: lockout stops
/// guessing one account's password, this stops one address from spraying many accounts or second-factor codes.
/// Behind a reverse proxy every request comes from the proxy's address unless forwarded headers are configured.
/// </summary>
internal static class SignInRateLimiting
{
    /// <summary>The endpoints that check a credential or start a sign-in (method, path).</summary>
    private static readonly (string Method, string Path)[] Limited =
    [
        ("POST", "/account/login"),
        ("POST", "/account/login/2fa"),
        ("POST", "/account/setup"),
        ("POST", "/account/mfa"),
        ("GET", "/account/sso"),
    ];

    public static IServiceCollection AddSignInRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SignInOptions>>((limiter, signIn) =>
        {
            var settings = signIn.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsSignInAttempt(context.Request)
                ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.RateLimitPermits, Window = settings.RateLimitWindow, QueueLimit = 0, AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter(""));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, ct) => RejectAsync(context.HttpContext, context.Lease, settings, ct);
        });
        return services;
    }

    private static bool IsSignInAttempt(HttpRequest request)
        => Limited.Any(l => HttpMethods.Equals(request.Method, l.Method) && string.Equals(request.Path.Value?.TrimEnd('/'), l.Path, StringComparison.OrdinalIgnoreCase));

    private static async ValueTask RejectAsync(HttpContext http, RateLimitLease lease, SignInOptions settings, CancellationToken ct)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.RateLimitWindow;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"Too many sign-in attempts from your network address. Wait {seconds} seconds, then try again.";
        if (http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)))
        {
            // A person at the sign-in form gets a page, not JSON.
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(
                $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · IdentiGuard</title><link href=\"/app.css\" rel=\"stylesheet\"></head>" +
                $"<body><div class=\"account-page\"><div class=\"account-card\"><h2 class=\"brand\">IdentiGuard</h2><h1>Too many attempts</h1>" +
                $"<p class=\"error\" role=\"alert\">{message}</p><p><a href=\"/account/login\">Back to sign-in</a></p></div></div></body></html>", ct);
            return;
        }
        await Results.Problem(title: "Too many sign-in attempts", detail: message, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
    }
}
