using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.OktaEmulator;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>An emulated Okta org and an IdentiGuard host, with helpers for the guide's steps.</summary>
internal sealed class TestOrg : IAsyncDisposable
{
    private TestOrg(EmulatedOkta okta, IdentiGuardApp app, IDictionary<string, string?>? settings, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        Okta = okta;
        App = app;
        this.settings = settings;
        this.services = services;
    }

    /// <summary>The host service overrides of the first start, applied again on every restart.</summary>
    private readonly Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services;

    /// <summary>The host settings of the first start, applied again on every restart.</summary>
    private readonly IDictionary<string, string?>? settings;

    public EmulatedOkta Okta { get; }
    public IdentiGuardApp App { get; private set; }

    public static async Task<TestOrg> StartAsync(IDictionary<string, string?>? settings = null, string? publicBaseUrl = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true });
        var app = await IdentiGuardApp.StartAsync(settings, publicBaseUrl: publicBaseUrl, services: services);
        return new TestOrg(okta, app, settings, services);
    }

    /// <summary>Guide step 3: paste Client ID, Client Secret and Domain URL, keep Select All, click Add Tenant.</summary>
    public async Task<(HttpResponseMessage Response, JsonElement Body)> AddTenantAsync(string? clientId = null, string? clientSecret = null, string? domainUrl = null, IReadOnlyList<string>? eventTypes = null)
    {
        var response = await App.Api.PostAsJsonAsync(App.WorkspacePath("/tenants"), new
        {
            clientId = clientId ?? Okta.SeedClient.ClientId,
            clientSecret = clientSecret ?? Okta.SeedClient.ClientSecret,
            domainUrl = domainUrl ?? Okta.BaseUrl,
            eventTypes,
        });
        var body = response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response, body);
    }

    public async Task<JsonElement> ConnectedTenantAsync()
    {
        var (response, body) = await AddTenantAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{response.StatusCode}: {body}\n{string.Join("\n", App.Logs.Lines.Where(l => l.StartsWith("Error")).Take(2))}");
        var tenant = body.GetProperty("tenant");
        Assert.True(tenant.GetProperty("status").GetString() == "Connected", tenant.ToString());
        return tenant;
    }

    public async Task<JsonElement> AlertsAsync(string query = "")
        => (await App.Api.GetFromJsonAsync<JsonElement>(App.WorkspacePath("/alerts" + query)));

    /// <summary>Polls until the condition holds or the timeout passes (processing happens after acknowledgement).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(100);
        }
    }

    /// <summary>Stops the host and starts it again on the same data directory and port (Okta's hooks keep working).</summary>
    /// <param name="whileStopped">Runs after the host stopped and before it starts again (events emitted while it is down, say).</param>
    public async Task RestartAppAsync(string? publicBaseUrl = null, Func<Task>? whileStopped = null)
    {
        var (dataDirectory, port) = (App.DataDirectory, App.Port);
        await App.DisposeAsync();
        if (whileStopped is not null) await whileStopped();
        App = await IdentiGuardApp.StartAsync(settings, dataDirectory: dataDirectory, port: port, publicBaseUrl: publicBaseUrl, services: services);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Okta.DisposeAsync();
    }
}
