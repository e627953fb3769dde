using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Detection;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdentiGuard.Tests.Triage;

/// <summary>Triage and "Mark as expected" through the real UI in Chromium.</summary>
public sealed class TriageBrowserTests
{
    private static async Task<(IPlaywright, IBrowser, IPage)> SignedInAsync(TestOrg org)
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = org.App.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(IdentiGuardApp.AdminEmail);
        await page.GetByLabel("Password").FillAsync(IdentiGuardApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/w/*/alerts");
        return (playwright, browser, page);
    }

    [Fact]
    public async Task AnalystTriagesAnAlertFromNewToResolvedWithAComment_AndTheListUpdatesLive()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("nora@acme.example", 0));
        var id = await TriageEvents.AlertOfAsync(org, "nora@acme.example");

        var (playwright, browser, page) = await SignedInAsync(org);
        using var _ = playwright;
        await using var __ = browser;

        var row = page.GetByTestId("alert-row").Filter(new() { HasText = "nora@acme.example" });
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(row.GetByTestId("alert-status")).ToHaveTextAsync("New");
        await row.GetByRole(AriaRole.Link, new() { Name = "Authentication of user via MFA" }).ClickAsync();
        await page.WaitForURLAsync($"**/alerts/{id}");
        var panel = page.GetByTestId("triage-panel");
        await Assertions.Expect(panel.GetByTestId("alert-status")).ToHaveTextAsync("New");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Acknowledge", Exact = true }).ClickAsync();
        await Assertions.Expect(panel.GetByTestId("alert-status")).ToHaveTextAsync("Acknowledged");

        await page.Locator("#triage-comment").FillAsync("Called Nora: she is travelling to Lisbon.");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Add comment" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("history-entry").Filter(new() { HasText = "Called Nora: she is travelling to Lisbon." })).ToBeVisibleAsync();

        // Resolving needs a reason: without one the page says so and nothing changes.
        await panel.GetByRole(AriaRole.Button, new() { Name = "Resolve", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("Say why you close it as resolved.")).ToBeVisibleAsync();
        await Assertions.Expect(panel.GetByTestId("alert-status")).ToHaveTextAsync("Acknowledged");
        await page.Locator("#triage-reason").FillAsync("Travel confirmed by phone");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Resolve", Exact = true }).ClickAsync();
        await Assertions.Expect(panel.GetByTestId("alert-status")).ToHaveTextAsync("Resolved");
        await Assertions.Expect(panel.GetByText("Travel confirmed by phone")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("history-entry")).ToHaveCountAsync(3);

        var api = org.App.Api;
        var alert = (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}"))).GetProperty("alert");
        Assert.Equal(("Resolved", "Travel confirmed by phone"), (alert.GetProperty("status").GetString(), alert.GetProperty("statusReason").GetString()));
        var history = (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}/history"))).EnumerateArray().ToList();
        Assert.Equal(["status", "comment", "status"], history.Select(h => h.GetProperty("action").GetString()));

        // The list shows the change, and a change made elsewhere (the API) appears without a reload.
        await page.GetByRole(AriaRole.Link, new() { Name = "Alerts" }).First.ClickAsync();
        await page.WaitForURLAsync("**/alerts");
        await Assertions.Expect(row.GetByTestId("alert-status")).ToHaveTextAsync("Resolved");
        var reopen = await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "InProgress" });
        Assert.True(reopen.IsSuccessStatusCode);
        await Assertions.Expect(row.GetByTestId("alert-status")).ToHaveTextAsync("In progress", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task MarkAsExpected_CreatesASuppressionEntry_ShownOnTheRulePage()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        await TriageEvents.SendAsync(org, [.. Enumerable.Range(0, 5).Select(i => DetectionEndToEndTests.PushAttempt(i * 10, "FAILURE")), DetectionEndToEndTests.PushAttempt(60, "SUCCESS")]);
        var detection = await TestOrg.EventuallyAsync(() => TriageEvents.ListAsync(org.App.Api, org.App.WorkspacePath("/alerts?ruleId=okta-mfa-push-fatigue-success")),
            a => a.Count == 1, TimeSpan.FromSeconds(30));
        var id = detection[0].GetProperty("id").GetGuid();

        var (playwright, browser, page) = await SignedInAsync(org);
        using var _ = playwright;
        await using var __ = browser;
        await page.GotoAsync($"/w/{org.App.WorkspaceId}/alerts/{id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as expected" }).ClickAsync();
        var form = page.GetByTestId("mark-expected-form");
        await Assertions.Expect(page.Locator("#suppress-rule")).ToHaveValueAsync("okta-mfa-push-fatigue-success");
        await Assertions.Expect(page.Locator("#suppress-ip")).ToHaveValueAsync("45.86.200.12");
        await page.Locator("#suppress-reason").FillAsync("Push fatigue drill by the red team");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create suppression" }).ClickAsync();
        await Assertions.Expect(form).ToBeHiddenAsync();

        await page.GotoAsync($"/w/{org.App.WorkspaceId}/rules/okta-mfa-push-fatigue-success");
        var entry = page.GetByTestId("suppression-row");
        await Assertions.Expect(entry).ToHaveCountAsync(1);
        await Assertions.Expect(entry).ToContainTextAsync("Push fatigue drill by the red team");
        await Assertions.Expect(entry).ToContainTextAsync("IP 45.86.200.12");

        var onRule = (await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/suppressions?ruleId=okta-mfa-push-fatigue-success"))).EnumerateArray().ToList();
        Assert.Equal(id, Assert.Single(onRule).GetProperty("sourceAlertId").GetGuid());
    }
}
