using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>
/// The built server started as its own process (<c>dotnet IdentiGuard.Server.dll</c>), as a deployment runs it, so a
/// test can kill it with SIGKILL. Settings go in as environment variables; its console output is kept.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ServerProcess(Process process, string baseUrl, string name)
    {
        this.process = process;
        BaseUrl = baseUrl;
        Name = name;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public string BaseUrl { get; }
    public IEnumerable<string> Output => output;
    public bool HasExited => process.HasExited;

    /// <summary>The server built next to the tests (the test project references it).</summary>
    public static string ServerDll
    {
        get
        {
            var tests = new DirectoryInfo(AppContext.BaseDirectory); // tests/IdentiGuard.Tests/bin/<Configuration>/<tfm>/
            var root = Data.BackupRestoreTests.RepositoryRoot();
            var dll = Path.Combine(root, "src", "IdentiGuard.Server", "bin", tests.Parent!.Name, tests.Name, "IdentiGuard.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the server first.", dll);
        }
    }

    public static ServerProcess Start(string name, int port, IDictionary<string, string?> settings)
    {
        var dll = ServerDll;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}"; // overrides appsettings.json's Urls (ASPNETCORE_URLS would not)
        start.Environment["DOTNET_gcServer"] = "0"; // three hosts share two cores
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        return new ServerProcess(Process.Start(start)!, $"http://127.0.0.1:{port}", name);
    }

    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{Name} exited {process.ExitCode}:\n{string.Join("\n", output.TakeLast(40))}");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{Name} did not become healthy:\n{string.Join("\n", output.TakeLast(40))}");
    }

    /// <summary>Signs in as the bootstrap owner and returns an API client with a personal token, and the first workspace.</summary>
    public async Task<(HttpClient Api, Guid WorkspaceId)> SignInAsync()
    {
        var cookies = new System.Net.CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl) };
        await IdentiGuardApp.SignInAsync(browser, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
        var workspaceId = (await browser.GetFromJsonAsync<JsonElement>("/api/workspaces"))[0].GetProperty("workspaceId").GetGuid();
        var token = await browser.PostAsJsonAsync("/api/me/tokens", new { name = "tests", expiresInDays = 1, workspaceId, role = "Owner" });
        token.EnsureSuccessStatusCode();
        var value = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
        var api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);
        return (api, workspaceId);
    }

    /// <summary>kill -9: no shutdown, no goodbye to the cluster.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
