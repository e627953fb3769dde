using System.Net;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.SignIn;

public sealed class SessionAndRateLimitTests
{
    [Fact]
    public async Task SignInAttempts_BeyondTheLimitPerAddress_Get429WithAClearMessage()
    {
        // The host's own start-up sign-in counts too, so the limit is reached within Permits attempts at the latest.
        await using var app = await IdentiGuardApp.StartAsync(new Dictionary<string, string?>
        {
            ["IdentiGuard:SignIn:RateLimitPermits"] = "4",
            ["IdentiGuard:SignIn:RateLimitWindow"] = "00:30:00",
        });
        using var browser = new SignInBrowser(app);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage response;
        do
        {
            response = await browser.PasswordAsync(IdentiGuardApp.AdminEmail, "wrong password " + statuses.Count);
            statuses.Add(response.StatusCode);
        }
        while (response.StatusCode != HttpStatusCode.TooManyRequests && statuses.Count < 5);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.All(statuses[..^1], s => Assert.Equal(HttpStatusCode.Redirect, s));
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");
        Assert.Contains("Too many sign-in attempts from your network address", await response.Content.ReadAsStringAsync());

        // Even the right password is refused from this address until the window ends; pages and the API still answer.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await browser.PasswordAsync(IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/account/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.GetAsync("/api/workspaces")).StatusCode);
    }

    [Fact]
    public async Task Session_EndsAfterTheIdleTimeout()
    {
        await using var app = await IdentiGuardApp.StartAsync(new Dictionary<string, string?>
        {
            ["IdentiGuard:SignIn:IdleTimeout"] = "00:00:15",
            ["IdentiGuard:SignIn:AbsoluteLifetime"] = "01:00:00",
        });
        using var browser = new SignInBrowser(app);
        await browser.PasswordAsync(IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/api/me")).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(17));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Session_EndsAtTheAbsoluteLifetime_HoweverActiveItIs()
    {
        await using var app = await IdentiGuardApp.StartAsync(new Dictionary<string, string?>
        {
            ["IdentiGuard:SignIn:IdleTimeout"] = "00:00:10",
            ["IdentiGuard:SignIn:AbsoluteLifetime"] = "00:00:20",
        });
        using var browser = new SignInBrowser(app);
        await browser.PasswordAsync(IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        // Taken after the response, so the server's session is at least this old at every request below.
        var signedInAt = DateTime.UtcNow;

        // Active every two seconds: the idle timeout never strikes, but the session still ends.
        var outcomes = new List<(TimeSpan At, HttpStatusCode Status)>();
        while (DateTime.UtcNow - signedInAt < TimeSpan.FromSeconds(26))
        {
            outcomes.Add((DateTime.UtcNow - signedInAt, (await browser.Client.GetAsync("/api/me")).StatusCode));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        Assert.Contains(outcomes, o => o.At > TimeSpan.FromSeconds(11) && o.Status == HttpStatusCode.OK); // sliding renewal kept it past the idle timeout
        Assert.Equal(HttpStatusCode.Unauthorized, outcomes[^1].Status);
        Assert.All(outcomes.Where(o => o.At > TimeSpan.FromSeconds(21)), o => Assert.Equal(HttpStatusCode.Unauthorized, o.Status));
    }

    [Fact]
    public async Task SessionCookie_IsHttpOnlyAndLax()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        using var browser = new SignInBrowser(app);
        var response = await browser.PasswordAsync(IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("identiguard.auth="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires=", cookie, StringComparison.OrdinalIgnoreCase); // a session cookie: gone when the browser closes
    }
}
