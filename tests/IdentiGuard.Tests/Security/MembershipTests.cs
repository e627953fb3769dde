using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Security;

/// <summary>Invitations by link, and removal or demotion taking effect at once for cookie sessions, pages and API tokens.</summary>
public sealed class MembershipTests
{
    /// <returns>The link, the invitation's id and what the API says of e-mailing the link.</returns>
    private static async Task<(string Link, Guid Id, string Delivery)> InviteAsync(IdentiGuardApp app, string email, string role)
    {
        var response = await app.Api.PostAsJsonAsync(app.WorkspacePath("/invitations"), new { email, role });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("link").GetString()!, body.GetProperty("invitation").GetProperty("id").GetGuid(), body.GetProperty("delivery").GetString()!);
    }

    /// <summary>Opens the link like a browser and submits the accept form (with its antiforgery token).</summary>
    private static async Task<HttpResponseMessage> AcceptAsync(HttpClient browser, string link, string? password = null)
    {
        var page = await browser.GetStringAsync(new Uri(link).PathAndQuery);
        var form = new Dictionary<string, string>
        {
            ["token"] = Regex.Match(page, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value,
            ["__RequestVerificationToken"] = IdentiGuardApp.AntiforgeryToken(page),
        };
        if (password is not null) form["password"] = form["confirmPassword"] = password;
        return await browser.PostAsync("/invitations/accept", new FormUrlEncodedContent(form));
    }

    private static HttpClient Browser(IdentiGuardApp app)
        => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };

    [Fact]
    public async Task InvitationLink_CreatesTheAccountWithTheRole_AndWorksOnce()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var email = $"analyst-{Guid.NewGuid():N}@example.com";
        var (link, _, _) = await InviteAsync(app, email, "Analyst");
        Assert.StartsWith(app.BaseUrl + "/invitations/accept?token=", link);

        using var browser = Browser(app);
        var accepted = await AcceptAsync(browser, link, "a brand new password");
        Assert.Equal($"/w/{app.WorkspaceId}/alerts", accepted.Headers.Location?.ToString());
        // Signed in by accepting: the new member reads the workspace with their cookie.
        var me = await browser.GetFromJsonAsync<JsonElement>(app.WorkspacePath());
        Assert.Equal("Analyst", me.GetProperty("role").GetString());

        // The link is single-use.
        using var second = Browser(app);
        var page = await second.GetStringAsync(new Uri(link).PathAndQuery);
        Assert.Contains("already been used", page);

        // Only the hash of the token is stored.
        await using var scope = app.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().WorkspaceInvitations.IgnoreQueryFilters().SingleAsync(i => i.Email == email);
        Assert.Equal(32, stored.TokenHash.Length);
        Assert.NotNull(stored.AcceptedAt);
        var joined = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/activity?search=member.joined"));
        Assert.Contains(email, joined[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Invitation_IsEMailedWithTheLinkThatWorks_ThroughTheConfiguredRelay()
    {
        await using var smtp = SmtpReceiver.Start();
        await using var app = await IdentiGuardApp.StartAsync(smtp.Settings());
        var email = $"invitee-{Guid.NewGuid():N}@example.com";
        var (invitationLink, _, delivery) = await InviteAsync(app, email, "Viewer");
        Assert.Equal($"E-mailed to {email}.", delivery);

        var (recipients, message) = Assert.Single(smtp.Received);
        Assert.Equal([email], recipients);
        Assert.Equal("identiguard@acme.example", message.From.Mailboxes.Single().Address);
        Assert.StartsWith("You are invited to the IdentiGuard workspace ", message.Subject);
        var text = message.TextBody ?? "";
        Assert.Contains("as Viewer", text);
        var link = Regex.Match(text, @"https?://\S+/invitations/accept\?token=\S+").Value;
        Assert.Equal(invitationLink, link);

        // The e-mailed link is the invitation: opening it and setting a password joins the workspace as a viewer.
        using var browser = Browser(app);
        var accepted = await AcceptAsync(browser, link, "a brand new password");
        Assert.Equal($"/w/{app.WorkspaceId}/alerts", accepted.Headers.Location?.ToString());
        var me = await browser.GetFromJsonAsync<JsonElement>(app.WorkspacePath());
        Assert.Equal("Viewer", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task ExpiredOrWithdrawnInvitation_IsRefused_AndAddsNobody()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var (expiredLink, expiredId, _) = await InviteAsync(app, "late@example.com", "Viewer");
        var (withdrawnLink, withdrawnId, _) = await InviteAsync(app, "withdrawn@example.com", "Viewer");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            await db.WorkspaceInvitations.IgnoreQueryFilters().Where(i => i.Id == expiredId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }
        Assert.Equal(HttpStatusCode.NoContent, (await app.Api.DeleteAsync(app.WorkspacePath($"/invitations/{withdrawnId}"))).StatusCode);

        using var browser = Browser(app);
        Assert.Contains("has expired", await browser.GetStringAsync(new Uri(expiredLink).PathAndQuery));
        Assert.Contains("was withdrawn", await browser.GetStringAsync(new Uri(withdrawnLink).PathAndQuery));

        // Posting the form anyway (the token is known to whoever has the link) adds nobody.
        foreach (var link in new[] { expiredLink, withdrawnLink })
        {
            var token = Uri.UnescapeDataString(new Uri(link).Query.Split("token=")[1]);
            var page = await browser.GetStringAsync("/account/login");
            var response = await browser.PostAsync("/invitations/accept", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["token"] = token, ["password"] = "a brand new password", ["confirmPassword"] = "a brand new password",
                ["__RequestVerificationToken"] = IdentiGuardApp.AntiforgeryToken(page),
            }));
            Assert.Contains("error=", response.Headers.Location?.ToString());
        }
        var members = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/members"));
        Assert.Equal(1, members.GetArrayLength());
    }

    [Fact]
    public async Task Removal_EndsAccessAtOnce_ForCookieSessionPagesAndApiTokens()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var member = await SecurityTestKit.MemberAsync(app, app.WorkspaceId, WorkspaceRole.Admin);
        var token = await member.TokenClientAsync(app.WorkspaceId, WorkspaceRole.Admin);
        Assert.Equal(HttpStatusCode.OK, (await member.Browser.GetAsync(app.WorkspacePath("/tenants"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync(app.WorkspacePath("/tenants"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Browser.GetAsync($"/w/{app.WorkspaceId}/tenants")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await app.Api.DeleteAsync(app.WorkspacePath($"/members/{member.UserId}"))).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await member.Browser.GetAsync(app.WorkspacePath("/tenants"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await token.GetAsync(app.WorkspacePath("/tenants"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await member.Browser.GetAsync($"/w/{app.WorkspaceId}/tenants")).StatusCode);
        var removed = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/activity?search=member.removed"));
        Assert.Contains("\"Admin\"", removed[0].GetProperty("before").GetString());
    }

    [Fact]
    public async Task Demotion_LowersTheRoleOfCookieAndToken_AtOnce()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var member = await SecurityTestKit.MemberAsync(app, app.WorkspaceId, WorkspaceRole.Admin);
        var token = await member.TokenClientAsync(app.WorkspaceId, WorkspaceRole.Admin);
        var settings = new { eventRetentionDays = 45 };
        Assert.Equal(HttpStatusCode.OK, (await token.PutAsJsonAsync(app.WorkspacePath("/settings"), settings)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await app.Api.PutAsJsonAsync(app.WorkspacePath($"/members/{member.UserId}/role"), new { role = "Viewer" })).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await token.PutAsJsonAsync(app.WorkspacePath("/settings"), settings)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.Browser.PutAsJsonAsync(app.WorkspacePath("/settings"), settings)).StatusCode);
        Assert.Equal("Viewer", (await token.GetFromJsonAsync<JsonElement>(app.WorkspacePath())).GetProperty("role").GetString());
    }
}
