using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentiGuard.Tests.SignIn;

/// <summary>MFA set up and used through the real pages in Chromium, the test playing the authenticator app.</summary>
public sealed class MfaBrowserTests
{
    [Fact]
    public async Task OwnerSetsUpAnAuthenticatorFromTheMenu_ThenSignsInWithACode()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await NewPageAsync(browser, app);

        await SignInWithPasswordAsync(page);
        await page.WaitForURLAsync("**/w/*/alerts");
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Sign-in security" }).ClickAsync();
        await page.WaitForURLAsync("**/account/security");
        await page.GetByRole(AriaRole.Link, new() { Name = "Set up" }).ClickAsync();
        await page.WaitForURLAsync("**/account/mfa");

        await Assertions.Expect(page.Locator(".qr-code svg")).ToBeVisibleAsync();
        var key = (await page.GetByTestId("shared-key").InnerTextAsync()).Replace(" ", "").ToUpperInvariant();
        await page.GetByLabel("Authentication code").FillAsync(SignInBrowser.CodeAt(key, DateTimeOffset.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and turn on" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);

        // A new browser session: password, then the authenticator code.
        var fresh = await NewPageAsync(browser, app);
        await SignInWithPasswordAsync(fresh);
        await fresh.WaitForURLAsync("**/account/login/2fa**");
        await fresh.GetByLabel("Authentication code").FillAsync(SignInBrowser.CodeAt(key, DateTimeOffset.UtcNow.AddSeconds(30)));
        await fresh.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await fresh.WaitForURLAsync("**/w/*/alerts");
        await fresh.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Sign-in security" }).ClickAsync();
        await Assertions.Expect(fresh.GetByTestId("mfa-status")).ToContainTextAsync("On:");
    }

    private static async Task<IPage> NewPageAsync(IBrowser browser, IdentiGuardApp app)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    private static async Task SignInWithPasswordAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(IdentiGuardApp.AdminEmail);
        await page.GetByLabel("Password").FillAsync(IdentiGuardApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
