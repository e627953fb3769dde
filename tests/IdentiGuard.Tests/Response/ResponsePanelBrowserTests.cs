using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;
using static IdentiGuard.Tests.Response.ResponseTestSupport;

namespace IdentiGuard.Tests.Response;

public sealed class ResponsePanelBrowserTests
{
    [Fact]
    public async Task SuspendFromTheAlertPage_ConfirmsExactlyWhatHappens_AndShowsOktasResultWithTheRequestId()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var jane = org.Okta.AddUser("jane.doe@acme.example", "Jane", "Doe");
        await org.Okta.EmitAsync(UserSignsIn("jane-browser-1", jane));
        await org.Okta.WhenDeliveriesIdleAsync();
        var alertId = (await AlertForActorAsync(org, jane.Login)).GetProperty("id").GetGuid();

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = org.App.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(IdentiGuardApp.AdminEmail);
        await page.GetByLabel("Password").FillAsync(IdentiGuardApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/w/*/alerts");
        await page.GotoAsync($"/w/{org.App.WorkspaceId}/alerts/{alertId}");

        await page.GetByTestId("response-Suspend").ClickAsync();
        var consequences = page.Locator("#response-consequences");
        await Assertions.Expect(consequences).ToContainTextAsync($"Okta sets {jane.Login}");
        await Assertions.Expect(consequences).ToContainTextAsync("SUSPENDED");
        await Assertions.Expect(page.GetByText($"/api/v1/users/{Uri.EscapeDataString(jane.Login)}/lifecycle/suspend", new() { Exact = false })).ToBeVisibleAsync();
        Assert.Equal("ACTIVE", org.Okta.FindUser(jane.Id)!.Status);

        await page.GetByTestId("response-confirm").ClickAsync();
        var row = page.GetByTestId("response-row").First;
        await Assertions.Expect(row).ToContainTextAsync("Succeeded", new() { Timeout = 20_000 });
        var call = Assert.Single(org.Okta.Requests, r => IsPath(r, "POST", $"/api/v1/users/{jane.Login}/lifecycle/suspend"));
        await Assertions.Expect(row).ToContainTextAsync(call.RequestId);
        Assert.Equal("SUSPENDED", org.Okta.FindUser(jane.Id)!.Status);
    }
}
