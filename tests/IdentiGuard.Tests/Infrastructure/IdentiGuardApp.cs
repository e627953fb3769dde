using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>
/// The real IdentiGuard host on a real loopback port (Okta must call it back), with its own data directory, a
/// bootstrap owner, and an API client authenticated with a personal API token.
/// </summary>
internal sealed class IdentiGuardApp : IAsyncDisposable
{
    public const string AdminEmail = "owner@example.com";
    public const string AdminPassword = "correct horse battery staple";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Factory factory;

    private IdentiGuardApp(Factory factory, string baseUrl, string dataDirectory)
    {
        this.factory = factory;
        BaseUrl = baseUrl;
        DataDirectory = dataDirectory;
    }

    public string BaseUrl { get; }
    public int Port => new Uri(BaseUrl).Port;
    public string DataDirectory { get; }
    public CapturedLogs Logs => factory.Logs;
    public IServiceProvider Services => factory.Services;
    public HttpClient Api { get; private set; } = default!;
    public Guid WorkspaceId { get; private set; }

    /// <param name="services">Replaces host services for the test (a fake clock, say); applied after the app's own registrations.</param>
    public static async Task<IdentiGuardApp> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null, string? publicBaseUrl = null, int? port = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        port ??= FreePort.Next();
        var baseUrl = $"http://127.0.0.1:{port}";
        dataDirectory ??= Directory.CreateTempSubdirectory("identiguard-test-").FullName;
        var config = new Dictionary<string, string?>
        {
            ["IdentiGuard:DataDirectory"] = dataDirectory,
            ["IdentiGuard:PublicBaseUrl"] = publicBaseUrl ?? baseUrl,
            ["IdentiGuard:Okta:AllowInsecureLoopback"] = "true",
            ["IdentiGuard:Bootstrap:AdminEmail"] = AdminEmail,
            ["IdentiGuard:Bootstrap:AdminPassword"] = AdminPassword,
            ["IdentiGuard:Cluster:SiloPort"] = FreePort.Next().ToString(),
            ["IdentiGuard:Cluster:GatewayPort"] = FreePort.Next().ToString(),
            // Every test signs in from 127.0.0.1; the sign-in rate limit has its own tests (SignIn/SignInRateLimitTests).
            ["IdentiGuard:SignIn:RateLimitPermits"] = "10000",
        };
        foreach (var (key, value) in await TestDatabase.AppSettingsAsync(dataDirectory)) config[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) config[key] = value;

        var factory = new Factory(config, services);
        factory.UseKestrel(port.Value);
        factory.StartServer();
        var app = new IdentiGuardApp(factory, baseUrl, dataDirectory);
        await app.SignInApiAsync();
        return app;
    }

    /// <summary>A cookie-less client with no credentials (for hook deliveries and unauthenticated probes).</summary>
    public HttpClient Anonymous() => new() { BaseAddress = new Uri(BaseUrl) };

    public string WorkspacePath(string path = "") => $"/api/workspaces/{WorkspaceId}{path}";

    private async Task SignInApiAsync()
    {
        // Sign in through the real form endpoint, then mint a personal API token for the REST API.
        var cookies = new System.Net.CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl) };
        await SignInAsync(browser, AdminEmail, AdminPassword);
        // Tokens are scoped to one workspace and a role: the bootstrap owner's token for the first workspace, as Owner.
        var workspaces = await browser.GetFromJsonAsync<JsonElement>("/api/workspaces");
        WorkspaceId = workspaces[0].GetProperty("workspaceId").GetGuid();
        var token = await browser.PostAsJsonAsync("/api/me/tokens", new { name = "tests", workspaceId = WorkspaceId, role = "Owner", expiresInDays = 1 });
        token.EnsureSuccessStatusCode();
        var value = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;

        Api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);
    }

    /// <summary>Submits the sign-in form as a browser would (antiforgery token from the page, then the post).</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string email, string password)
    {
        var page = await browser.GetStringAsync("/account/login");
        var token = AntiforgeryToken(page);
        return await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email, ["password"] = password, ["__RequestVerificationToken"] = token, ["returnUrl"] = "/",
        }));
    }

    public static string AntiforgeryToken(string html)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"");
        if (!match.Success) throw new InvalidOperationException("The page has no antiforgery token.");
        return System.Net.WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        await factory.DisposeAsync();
    }

    private sealed class Factory(Dictionary<string, string?> config, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        public CapturedLogs Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            // Host settings apply before Program reads its configuration (app configuration would come too late).
            foreach (var (key, value) in config) builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
            if (services is not null) builder.ConfigureServices(services);
        }
    }
}
