using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentiGuard.Tests.Security;

/// <summary>The Members page in a real browser: invite, the link shown once, accepting it as a new person, removal.</summary>
public sealed class MembersBrowserTests
{
    [Fact]
    public async Task OwnerInvitesAnAnalyst_WhoJoinsThroughTheLink_AndLosesTheWorkspaceWhenRemoved()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var owner = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = app.BaseUrl });
        owner.SetDefaultTimeout(20_000);

        await owner.GotoAsync("/");
        await owner.GetByLabel("Email").FillAsync(IdentiGuardApp.AdminEmail);
        await owner.GetByLabel("Password").FillAsync(IdentiGuardApp.AdminPassword);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await owner.WaitForURLAsync("**/w/*/alerts");
        await owner.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Members", Exact = true }).ClickAsync();
        await owner.WaitForURLAsync("**/members");

        var email = $"analyst-{Guid.NewGuid():N}@example.com";
        await owner.Locator("#invite-email").FillAsync(email);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        var link = await owner.GetByTestId("invitation-link").InnerTextAsync();
        Assert.Contains("/invitations/accept?token=", link);
        await Assertions.Expect(owner.GetByRole(AriaRole.Table, new() { Name = "Pending invitations" })).ToContainTextAsync(email);

        // The invitee opens the link in their own browser and creates their account.
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl });
        var invitee = await context.NewPageAsync();
        invitee.SetDefaultTimeout(20_000);
        await invitee.GotoAsync(new Uri(link).PathAndQuery);
        await invitee.GetByLabel("Choose a password").FillAsync("invitee password 123");
        await invitee.GetByLabel("Repeat it").FillAsync("invitee password 123");
        await invitee.GetByRole(AriaRole.Button, new() { Name = "Create account and join" }).ClickAsync();
        await invitee.WaitForURLAsync($"**/w/{app.WorkspaceId}/alerts");

        // The owner sees the new member and removes them.
        await owner.ReloadAsync();
        await Assertions.Expect(owner.GetByRole(AriaRole.Table, new() { Name = "Members" })).ToContainTextAsync(email);
        await owner.GetByRole(AriaRole.Button, new() { Name = $"Remove {email}" }).ClickAsync();
        await Assertions.Expect(owner.GetByRole(AriaRole.Table, new() { Name = "Members" })).Not.ToContainTextAsync(email);

        // The removed member's next page load is a 404.
        // (A fresh tab: the open one may itself be reloading, since the removal ends its live session.)
        var freshTab = await invitee.Context.NewPageAsync();
        var response = await freshTab.GotoAsync($"/w/{app.WorkspaceId}/tenants");
        Assert.Equal(404, response!.Status);
        var members = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/members"));
        Assert.Equal(1, members.GetArrayLength());
    }
}
