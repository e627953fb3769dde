using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Accounts;

public sealed class AccountTests
{
    [Fact]
    public async Task Healthz_AnswersOkWhenReady()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var response = await app.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheWorkspaceApi()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var document = await app.Anonymous().GetFromJsonAsync<JsonElement>("/api/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/workspaces/{workspaceId}/tenants", paths);
        Assert.Contains("/api/workspaces/{workspaceId}/alerts", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/hooks"));
    }

    [Fact]
    public async Task Api_WithoutCredentials_Is401()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(app.WorkspacePath("/tenants"))).StatusCode);
    }

    [Fact]
    public async Task WrongPassword_FiveTimes_LocksTheAccount()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        for (var i = 0; i < 5; i++) await IdentiGuardApp.SignInAsync(browser, IdentiGuardApp.AdminEmail, "wrong password " + i);
        var response = await IdentiGuardApp.SignInAsync(browser, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        Assert.Contains("error=locked", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SignInForm_WithoutAntiforgeryToken_IsRefused()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var response = await app.Anonymous().PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = IdentiGuardApp.AdminEmail, ["password"] = IdentiGuardApp.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task RevokedApiToken_NoLongerAuthenticates()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var created = await (await app.Api.PostAsJsonAsync("/api/me/tokens", new { name = "temp", workspaceId = app.WorkspaceId, role = "Viewer", expiresInDays = 1 })).Content.ReadFromJsonAsync<JsonElement>();
        using var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("value").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/workspaces")).StatusCode);

        var id = created.GetProperty("token").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await app.Api.DeleteAsync($"/api/me/tokens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/workspaces")).StatusCode);
    }

    [Fact]
    public async Task MemberOfOneWorkspace_Gets404ForAnotherWorkspacesTenantsAlertsAndActivity()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var other = await (await app.Api.PostAsJsonAsync("/api/workspaces", new { name = "Other" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(Guid.Empty, other.GetProperty("workspaceId").GetGuid());

        // A second user who belongs to no workspace of the first.
        var foreignId = Guid.NewGuid();
        foreach (var path in new[] { "", "/tenants", "/alerts", "/activity", "/support", $"/tenants/{foreignId}", $"/alerts/{foreignId}" })
        {
            using var stranger = await StrangerAsync(app);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(app.WorkspacePath(path))).StatusCode);
        }
    }

    /// <summary>A signed-in user who is a member only of a workspace of their own.</summary>
    private static async Task<HttpClient> StrangerAsync(IdentiGuardApp app)
    {
        var email = $"stranger-{Guid.NewGuid():N}@example.com";
        await TestUsers.CreateAsync(app, email, "stranger password 123", workspaceName: "Stranger's");
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var signedIn = await IdentiGuardApp.SignInAsync(browser, email, "stranger password 123");
        Assert.Equal("/", signedIn.Headers.Location!.ToString());
        return browser;
    }
}
