using System.Net;
using System.Net.Http.Json;
using System.Text;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Security;

/// <summary>Antiforgery, cross-site writes, security headers, size limits, error bodies and the append-only activity log.</summary>
public sealed class HardeningTests
{
    [Fact]
    public async Task Forms_WithoutAntiforgeryToken_AreRefused()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var (link, _) = await InviteAsync(app);
        var token = Uri.UnescapeDataString(new Uri(link).Query.Split("token=")[1]);
        using var anonymous = app.Anonymous();
        var accept = await anonymous.PostAsync("/invitations/accept", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["password"] = "a brand new password", ["confirmPassword"] = "a brand new password",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, accept.StatusCode);
        var signIn = await anonymous.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = IdentiGuardApp.AdminEmail, ["password"] = IdentiGuardApp.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        // Nothing was accepted: the invitation is still pending.
        Assert.Equal(1, (await app.Api.GetFromJsonAsync<System.Text.Json.JsonElement>(app.WorkspacePath("/invitations"))).GetArrayLength());
    }

    [Fact]
    public async Task CrossSiteApiWrites_WithTheSessionCookie_AreRefused()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var browser = await SecurityTestKit.SignedInAsync(app, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        foreach (var (header, value) in new[] { ("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Site", "same-site") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, app.WorkspacePath("/settings")) { Content = JsonContent.Create(new { eventRetentionDays = 7 }) };
            request.Headers.TryAddWithoutValidation(header, value);
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(request)).StatusCode);
        }
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Put, app.WorkspacePath("/settings")) { Content = JsonContent.Create(new { eventRetentionDays = 30 }) };
        sameOrigin.Headers.TryAddWithoutValidation("Origin", app.BaseUrl);
        sameOrigin.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(sameOrigin)).StatusCode);
        var settings = await app.Api.GetFromJsonAsync<System.Text.Json.JsonElement>(app.WorkspacePath("/settings"));
        Assert.Equal(30, settings.GetProperty("eventRetentionDays").GetInt32());
    }

    [Fact]
    public async Task Responses_CarryStrictSecurityHeaders_AndErrorsAreProblemDetailsWithoutStackTraces()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var page = await app.Anonymous().GetAsync("/account/login");
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(page.Headers.Contains("Server"));
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("identiguard.af", StringComparison.Ordinal));
        Assert.Contains("httponly", antiforgeryCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgeryCookie, StringComparison.OrdinalIgnoreCase);

        var bad = await app.Api.PostAsync(app.WorkspacePath("/support"), new StringContent("{\"subject\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("no-store", bad.Headers.CacheControl?.ToString());
        var body = await bad.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("Exception", body);
    }

    [Fact]
    public async Task OversizedApiBody_Is413_AndStoresNothing()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var huge = new string('a', 2 * 1024 * 1024);
        var response = await app.Api.PostAsJsonAsync(app.WorkspacePath("/support"), new { subject = "s", description = huge, contactEmail = "a@example.com" });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().SupportRequests.IgnoreQueryFilters().CountAsync());
    }

    [Fact]
    public async Task ActivityLog_IsAppendOnly_FromTheProduct()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        await app.Api.PutAsJsonAsync(app.WorkspacePath("/settings"), new { eventRetentionDays = 30 });
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var entry = await db.Activity.IgnoreQueryFilters().FirstAsync(a => a.Action == "workspace.settings.updated");
        Assert.Contains("90", entry.Before);
        Assert.Contains("30", entry.After);

        entry.Message = "rewritten";
        Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
        db.ChangeTracker.Clear();
        db.Activity.Remove(await db.Activity.IgnoreQueryFilters().FirstAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();
        Assert.Equal("workspace.settings.updated", (await db.Activity.IgnoreQueryFilters().AsNoTracking().FirstAsync(a => a.Id == entry.Id)).Action);
        Assert.NotEqual("rewritten", (await db.Activity.IgnoreQueryFilters().AsNoTracking().FirstAsync(a => a.Id == entry.Id)).Message);
        Assert.Equal(ActivityOutcome.Success, entry.Outcome);
    }

    private static async Task<(string Link, Guid Id)> InviteAsync(IdentiGuardApp app)
    {
        var response = await app.Api.PostAsJsonAsync(app.WorkspacePath("/invitations"), new { email = "csrf@example.com", role = "Viewer" });
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (body.GetProperty("link").GetString()!, body.GetProperty("invitation").GetProperty("id").GetGuid());
    }
}
