using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentiGuard.Tests.Detection;

/// <summary>The Rules page clicked through in a real browser: find a rule, switch it off, write a custom rule.</summary>
public sealed class RulePagesBrowserTests
{
    [Fact]
    public async Task AdminDisablesARule_ValidatesSavesAndDeletesACustomRule()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = app.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(20_000);
        var screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        try
        {
            await RunAsync(app, page, screenshots);
        }
        catch (Exception)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "rules-failed.png"), FullPage = true });
            throw;
        }
    }

    private static async Task RunAsync(IdentiGuardApp app, IPage page, string screenshots)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(IdentiGuardApp.AdminEmail);
        await page.GetByLabel("Password").FillAsync(IdentiGuardApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/w/*/alerts");

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Rules", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/rules");
        // Typing before the circuit is interactive filters nothing: type again until the list narrows.
        var other = page.GetByText("okta-ad-agent-created-or-changed", new() { Exact = true });
        for (var attempt = 0; attempt < 20 && await other.CountAsync() > 0; attempt++)
        {
            await page.Locator("#rule-search").FillAsync("");
            await page.Locator("#rule-search").FillAsync("administrator role assigned");
            await page.WaitForTimeoutAsync(500);
        }
        Assert.Equal(0, await other.CountAsync());
        var link = page.GetByRole(AriaRole.Link, new() { Name = "Okta administrator role assigned to a user", Exact = true });
        await Assertions.Expect(link).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "rules.png") });
        await link.ClickAsync();
        await page.WaitForURLAsync("**/rules/okta-admin-role-assigned");
        await Assertions.Expect(page.GetByText("panther:Okta.AdminRoleAssigned")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Switch).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByText("saved: Disabled")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "rule-detail.png"), FullPage = true });
        var rule = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/okta-admin-role-assigned"));
        Assert.False(rule.GetProperty("enabled").GetBoolean());

        // A correlation shows its building block's parameter; a rule with a required parameter says it needs configuration.
        await page.GotoAsync($"/w/{app.WorkspaceId}/rules/okta-sessions-multiple-countries");
        await Assertions.Expect(page.Locator("#param-vpn_cidrs")).ToBeVisibleAsync();
        await page.GotoAsync($"/w/{app.WorkspaceId}/rules/okta-login-without-push-marker");
        await Assertions.Expect(page.GetByText("does not run until its required parameters are set")).ToBeVisibleAsync();
        // An unknown rule id is answered like another workspace's: 404 (WorkspacePageGate), before any page renders.
        var missing = await page.GotoAsync($"/w/{app.WorkspaceId}/rules/no-such-rule");
        Assert.Equal(404, missing!.Status);
        await page.GotoAsync($"/w/{app.WorkspaceId}/rules/okta-login-without-push-marker");

        await page.GetByRole(AriaRole.Link, new() { Name = "Rules" }).First.ClickAsync();
        await page.WaitForURLAsync("**/rules");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Custom rules (0)" }).ClickAsync();
        await page.Locator("#custom-rule-file").FillAsync("lock.yml");
        await page.Locator("#custom-rule-yaml").FillAsync("title: Lock\nid: custom-lock\nlevel: loud\ndetection:\n  selection:\n    eventType: user.account.lock\n  condition: selection\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-validation")).ToContainTextAsync("lock.yml:");
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "custom-rule-invalid.png"), FullPage = true });

        await page.Locator("#custom-rule-yaml").FillAsync("title: Lock\nid: custom-lock\nlevel: high\ndetection:\n  selection:\n    eventType: user.account.lock\n  condition: selection\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-validation")).ToContainTextAsync("Valid: custom-lock");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Custom rules (1)" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "custom-lock" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "custom-rules.png"), FullPage = true });
        Assert.Single((await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/custom"))).EnumerateArray());

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete lock.yml" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Custom rules (0)" })).ToBeVisibleAsync();
        Assert.Empty((await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/custom"))).EnumerateArray());
    }
}
