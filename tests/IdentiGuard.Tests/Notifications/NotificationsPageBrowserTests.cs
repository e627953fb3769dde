using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentiGuard.Tests.Notifications;

public sealed class NotificationsPageBrowserTests
{
    [Fact]
    public async Task AddingASlackDestinationAndSendingATest_ShowsTheDeliveryInItsLog_WithoutShowingTheUrl()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var org = await TestOrg.StartAsync(NotificationTests.Settings(receiver));
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
        await page.GotoAsync($"/w/{org.App.WorkspaceId}/notifications");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add destination" }).ClickAsync();
        await page.Locator("#destination-name").FillAsync("SOC channel");
        await page.Locator("#destination-url").FillAsync(receiver.BaseUrl + "/services/T1/B2/PageSecretToken");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var row = page.GetByTestId("destination-row").Filter(new() { HasText = "SOC channel" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row).Not.ToContainTextAsync("PageSecretToken");
        await row.GetByRole(AriaRole.Button, new() { Name = "Send test notification" }).ClickAsync();
        await Assertions.Expect(page.Locator("#delivery-log")).ToContainTextAsync("Delivered");
        Assert.Single(receiver.At("/services/T1/B2/PageSecretToken"));
        Assert.DoesNotContain("PageSecretToken", await page.ContentAsync());
    }
}
