using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Server.Demo;
using IdentiGuard.Tests.Browser;
using IdentiGuard.Tests.Infrastructure;
using IdentiGuard.Tests.Security;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace IdentiGuard.Tests.Demo;

/// <summary>
/// The README's demo command, started in-process with the settings <see cref="DemoCommand"/> makes: the emulated org, the
/// demo tenant connected through the real setup path, the scenario played through hook delivery and System Log polling,
/// and a detection alert for every attack, seen through the API and in the browser. Screenshots go to docs/screenshots.
/// </summary>
public sealed class DemoModeBrowserTests(ITestOutputHelper output)
{
    /// <summary>The promise is two minutes at speed 1; the wait is longer so that a loaded machine reports the time instead of failing.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task TheDemoCommand_ShowsAnAlertForEveryAttack_OnTheDashboardAndTheAlertsPage()
    {
        var port = FreePort.Next();
        Assert.True(DemoCommand.TryPrepare(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TextWriter.Null, TextWriter.Null, out var hostArgs));
        // The test host brings its own data directory, owner and listener; every other setting is the demo command's.
        var settings = hostArgs.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('='))
            .Select(a => a[2..].Split('=', 2))
            .Where(kv => kv[0] != "urls" && kv[0] != "IdentiGuard:DataDirectory" && !kv[0].StartsWith("IdentiGuard:Bootstrap:", StringComparison.Ordinal)
                && !kv[0].StartsWith("Logging:", StringComparison.Ordinal))
            .ToDictionary(kv => kv[0], kv => (string?)kv[1]);
        Assert.Equal("true", settings["IdentiGuard:Demo:Enabled"]);

        await using var app = await IdentiGuardApp.StartAsync(settings, port: port);
        var up = Stopwatch.StartNew();
        var scenario = DemoScenario.Load(DemoScenario.Resolve("acme-workday"));

        // The demo workspace and its tenant, connected by the same TenantService path as the Tenants page.
        // API tokens reach one workspace: find the demo workspace as the signed-in owner, then use a token for it.
        using var owner = await SecurityTestKit.SignedInAsync(app, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        var workspace = await TestOrg.EventuallyAsync(async () => (await owner.GetFromJsonAsync<JsonElement>("/api/workspaces")).EnumerateArray()
            .FirstOrDefault(w => w.GetProperty("workspaceName").GetString() == "Demo"), w => w.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60));
        Assert.Equal(JsonValueKind.Object, workspace.ValueKind);
        var demo = workspace.GetProperty("workspaceId").GetGuid();
        var ownerMember = new SecurityTestKit.Member(Guid.Empty, IdentiGuardApp.AdminEmail, owner, app);
        using var api = await ownerMember.TokenClientAsync(demo, Enum.Parse<IdentiGuard.Data.Workspaces.WorkspaceRole>(workspace.GetProperty("role").GetString()!));
        var tenants = await TestOrg.EventuallyAsync(() => api.GetFromJsonAsync<JsonElement>($"/api/workspaces/{demo}/tenants"),
            t => t.GetArrayLength() > 0 && t[0].GetProperty("status").GetString() == "Connected", TimeSpan.FromSeconds(90));
        var tenant = tenants[0];
        Assert.Equal("Connected", tenant.GetProperty("status").GetString());
        Assert.Equal(DemoService.TenantName, tenant.GetProperty("name").GetString());

        // Every attack's rules raise detection alerts; the time after start-up is reported for each.
        var pending = scenario.Attacks.ToDictionary(a => a.Id, a => a.Expect.ToHashSet());
        var seenAt = new Dictionary<string, TimeSpan>();
        while (pending.Count > 0 && up.Elapsed < Patience)
        {
            var page = await api.GetFromJsonAsync<JsonElement>($"/api/workspaces/{demo}/alerts?kind=Detection&take=500");
            var raised = page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("ruleId").GetString()).ToHashSet();
            foreach (var (attack, rules) in pending.ToList())
            {
                if (!rules.All(raised.Contains)) continue;
                seenAt[attack] = up.Elapsed;
                pending.Remove(attack);
            }
            if (pending.Count > 0) await Task.Delay(1000);
        }
        foreach (var (attack, at) in seenAt.OrderBy(x => x.Value))
            output.WriteLine($"{attack}: all expected detections {at.TotalSeconds:0} s after the app was up");
        Assert.True(pending.Count == 0, "No alert for: " + string.Join("; ", pending.Select(p => $"{p.Key} ({string.Join(", ", p.Value)})")));

        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var ui = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = app.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        ui.SetDefaultTimeout(30_000);
        // Pages render in a server circuit on a busy machine: wait as long for assertions as for actions.
        Assertions.SetDefaultExpectTimeout(30_000);
        var screenshots = ScreenshotDirectory();

        await ui.GotoAsync("/");
        await ui.GetByLabel("Email").FillAsync(IdentiGuardApp.AdminEmail);
        await ui.GetByLabel("Password").FillAsync(IdentiGuardApp.AdminPassword);
        await ui.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ui.WaitForURLAsync("**/w/*/alerts");

        // Dashboard: demo banner, charts, top rules linking to the filtered alert list.
        await ui.GotoAsync($"/w/{demo}/dashboard");
        await Assertions.Expect(ui.GetByTestId("demo-banner")).ToContainTextAsync("Demo workspace");
        var topRules = ui.GetByTestId("top-rules");
        await Assertions.Expect(topRules.Locator("svg").First).ToBeVisibleAsync();
        await Assertions.Expect(ui.GetByTestId("chart-alerts-over-time").Locator("svg").First).ToBeVisibleAsync();
        await Assertions.Expect(ui.GetByTestId("sign-ins-by-country")).ToContainTextAsync("Romania");
        await Assertions.Expect(ui.GetByTestId("sign-ins-by-country")).ToContainTextAsync("Netherlands");
        await Assertions.Expect(ui.GetByTestId("tenant-health")).ToContainTextAsync(DemoService.TenantName);
        await ui.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "dashboard.png"), FullPage = true });

        var ruleLink = topRules.Locator("ol a").First;
        var ruleId = await ruleLink.GetAttributeAsync("title");
        await ruleLink.ClickAsync();
        await ui.WaitForURLAsync("**/alerts?q=*");
        await Assertions.Expect(ui.Locator("#alert-search")).ToHaveValueAsync(ruleId!);
        await Assertions.Expect(ui.GetByTestId("alert-row").First).ToBeVisibleAsync();

        // Alerts from High up: the attacks, each with its severity.
        await ui.GotoAsync($"/w/{demo}/alerts?severity=High");
        await Assertions.Expect(ui.GetByTestId("alert-row").First).ToBeVisibleAsync();
        await Assertions.Expect(ui.GetByTestId("alert-row").Filter(new() { HasText = "administrator role" }).First).ToBeVisibleAsync();
        await ui.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "alerts.png") });

        // Tenant list and the tenant form, as the guide shows them.
        await ui.GotoAsync($"/w/{demo}/tenants");
        await Assertions.Expect(ui.GetByText("Connected").First).ToBeVisibleAsync();
        await Assertions.Expect(ui.GetByTestId("demo-banner")).ToBeVisibleAsync();
        await ui.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "tenant-list.png") });
        await ui.GotoAsync($"/w/{demo}/tenants/new");
        await Assertions.Expect(ui.GetByLabel("Client ID")).ToBeVisibleAsync();
        await ui.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "tenant-form.png") });

        // The dark theme survives a reload (kept in the browser's local storage).
        await ui.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" }).ClickAsync();
        await Assertions.Expect(ui.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        await ui.ReloadAsync();
        await Assertions.Expect(ui.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        await ui.GotoAsync($"/w/{demo}/dashboard");
        await Assertions.Expect(ui.GetByTestId("top-rules")).ToBeVisibleAsync();
        await ui.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "dashboard-dark.png") });

        // The API reference renders the OpenAPI document's operations.
        await ui.GotoAsync("/api-reference");
        await Assertions.Expect(ui.GetByTestId("api-operation").Filter(new() { HasText = "/api/workspaces/{workspaceId}/alerts" }).First).ToBeVisibleAsync();
        await ui.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "api-reference.png") });
    }

    /// <summary>docs/screenshots in the repository (found from the test's output directory), else next to the test.</summary>
    private static string ScreenshotDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IdentiGuard.slnx")))
                return Directory.CreateDirectory(Path.Combine(dir.FullName, "docs", "screenshots")).FullName;
        return Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
    }
}
