using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.SignIn;

public sealed class WorkspaceMfaRequirementTests
{
    [Fact]
    public async Task MemberWithoutMfa_IsSentToEnrolment_UntilTheSessionHasASecondFactor()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var email = await MfaTests.NewUserAsync(app, "Requires MFA");
        using var browser = new SignInBrowser(app);
        await browser.PasswordAsync(email, MfaTests.MemberPassword);
        var workspaceId = (await browser.Client.GetFromJsonAsync<JsonElement>("/api/workspaces"))[0].GetProperty("workspaceId").GetGuid();
        // An API token minted before the requirement (tokens are not subject to it).
        var token = (await (await browser.Client.PostAsJsonAsync("/api/me/tokens", new { name = "ci", expiresInDays = 1, workspaceId, role = "Owner" })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("value").GetString();

        var set = await browser.Client.PutAsJsonAsync($"/api/workspaces/{workspaceId}/sign-in-policy", new { requireMfa = true });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var page = await browser.Client.GetAsync($"/w/{workspaceId}/alerts");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal($"/account/mfa?returnUrl=%2Fw%2F{workspaceId}%2Falerts", page.Headers.Location!.ToString());
        var api = await browser.Client.GetAsync($"/api/workspaces/{workspaceId}/alerts");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("requires two-factor authentication", await api.Content.ReadAsStringAsync());
        Assert.Contains("A workspace you belong to requires two-factor authentication",
            await browser.Client.GetStringAsync(page.Headers.Location!.ToString()));

        using var tokenClient = app.Anonymous();
        tokenClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await tokenClient.GetAsync($"/api/workspaces/{workspaceId}/alerts")).StatusCode);

        // Another user's session never learns about the requirement: non-members still get 404.
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.GetAsync($"/api/workspaces/{workspaceId}/alerts")).StatusCode);
        using var stranger = new SignInBrowser(app);
        await stranger.PasswordAsync(await MfaTests.NewUserAsync(app), MfaTests.MemberPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/workspaces/{workspaceId}/alerts")).StatusCode);

        await browser.EnrolAsync();
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync($"/w/{workspaceId}/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync($"/api/workspaces/{workspaceId}/alerts")).StatusCode);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var entry = await db.Activity.IgnoreQueryFilters().SingleAsync(a => a.WorkspaceId == workspaceId && a.Action == "workspace.mfa-requirement");
        Assert.Equal(email, entry.Actor);
        Assert.Contains("from off to on", entry.Message);
    }

    [Fact]
    public async Task OnlyOwnersChangeTheRequirement_AndBadInputIsAProblem()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var missing = await app.Api.PutAsJsonAsync(app.WorkspacePath("/sign-in-policy"), new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.False((await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/sign-in-policy"))).GetProperty("requireMfa").GetBoolean());

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var owner = await db.WorkspaceMembers.IgnoreQueryFilters().SingleAsync(m => m.WorkspaceId == app.WorkspaceId);
        owner.Role = IdentiGuard.Data.Workspaces.WorkspaceRole.Admin;
        await db.SaveChangesAsync();
        var admin = await app.Api.PutAsJsonAsync(app.WorkspacePath("/sign-in-policy"), new { requireMfa = true });
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
    }
}
