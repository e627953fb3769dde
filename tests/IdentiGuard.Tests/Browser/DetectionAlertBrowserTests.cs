using IdentiGuard.Tests.Detection;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentiGuard.Tests.Browser;

public sealed class DetectionAlertBrowserTests
{
    [Fact]
    public async Task PushFatigueDetection_IsShownWithItsExplanation()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        foreach (var e in Enumerable.Range(0, 5).Select(i => DetectionEndToEndTests.PushAttempt(i * 10, "FAILURE")).Append(DetectionEndToEndTests.PushAttempt(60, "SUCCESS")))
            await org.Okta.EmitAsync(e);
        await org.Okta.WhenDeliveriesIdleAsync();

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

        var row = page.GetByTestId("alert-row").Filter(new() { HasText = "push bombing" }).First;
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await row.GetByRole(AriaRole.Link).First.ClickAsync();
        await page.WaitForURLAsync("**/alerts/*");
        await Assertions.Expect(page.GetByText("okta-mfa-push-fatigue-success").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("repeat_until_success", new() { Exact = false }).First).ToBeVisibleAsync();
    }
}
