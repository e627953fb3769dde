using System.Net;
using System.Text;
using System.Text.Json;
using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentiGuard.Tests.Events;

public sealed class EventsExplorerBrowserTests
{
    [Fact]
    public async Task Explorer_FiltersEvents_AndOpensTheirJson()
    {
        await using var org = await TestOrg.StartAsync(new Dictionary<string, string?> { ["IdentiGuard:Polling:Enabled"] = "false", ["IdentiGuard:Polling:BackfillWindow"] = "00:00:00" });
        var tenant = await org.ConnectedTenantAsync();
        var tenantId = tenant.GetProperty("id").GetGuid();
        var secret = org.Okta.Hooks.Single().AuthSchemeValue!;
        var body = JsonSerializer.Serialize(new
        {
            eventType = "com.okta.event_hook",
            data = new
            {
                events = new object[]
                {
                    new { uuid = "b1", published = "2026-11-29T10:00:01Z", eventType = "user.session.start", actor = new { id = "00u1", alternateId = "mallory@acme.com" }, outcome = new { result = "FAILURE" }, client = new { ipAddress = "198.51.100.9" } },
                    new { uuid = "b2", published = "2026-11-29T10:00:02Z", eventType = "user.session.start", actor = new { id = "00u2", alternateId = "trent@acme.com" }, outcome = new { result = "SUCCESS" }, client = new { ipAddress = "198.51.100.10" } },
                },
            },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/okta/{tenantId}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", secret);
        Assert.Equal(HttpStatusCode.OK, (await org.App.Anonymous().SendAsync(request)).StatusCode);

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
        await page.GetByRole(AriaRole.Link, new() { Name = "Events", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/w/*/events");

        await Assertions.Expect(page.GetByTestId("event-row").Filter(new() { HasText = "trent@acme.com" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.Locator("#event-filter").FillAsync("outcome.result eq \"FAILURE\" and actor.alternateId sw \"mallory\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("event-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("event-row").First).ToContainTextAsync("mallory@acme.com");

        await page.Locator("#event-filter").FillAsync("eventType eq");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByText("position 13", new() { Exact = false }).First).ToBeVisibleAsync();

        await page.Locator("#event-filter").FillAsync("client.ipAddress eq \"198.51.100.9\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("event-row")).ToHaveCountAsync(1);
        await page.GetByTestId("event-row").First.GetByRole(AriaRole.Link).First.ClickAsync();
        await page.WaitForURLAsync("**/events/*");
        await Assertions.Expect(page.GetByTestId("event-json")).ToContainTextAsync("\"alternateId\": \"mallory@acme.com\"");
    }
}
