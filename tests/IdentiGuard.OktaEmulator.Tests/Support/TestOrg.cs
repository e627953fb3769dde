using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace IdentiGuard.OktaEmulator.Tests.Support;

/// <summary>A started emulator plus an HTTP client pointed at it.</summary>
internal sealed class TestOrg : IAsyncDisposable
{
    public const string AllSeedScopes = "okta.eventHooks.manage okta.logs.read okta.users.read okta.users.manage";

    private TestOrg(OktaEmulator emulator)
    {
        Emulator = emulator;
        Http = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl) };
    }

    public OktaEmulator Emulator { get; }
    public HttpClient Http { get; }

    public static async Task<TestOrg> StartAsync(Action<OktaEmulatorOptions>? configure = null)
    {
        var options = new OktaEmulatorOptions { LoopbackTestMode = true };
        configure?.Invoke(options);
        return new TestOrg(await OktaEmulator.StartAsync(options));
    }

    public static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));

    public async Task<HttpResponseMessage> RequestTokenAsync(string? scope, EmulatedClient? client = null, string grantType = "client_credentials")
    {
        client ??= Emulator.SeedClient;
        var form = new Dictionary<string, string> { ["grant_type"] = grantType };
        if (scope is not null) form["scope"] = scope;
        using var req = new HttpRequestMessage(HttpMethod.Post, "/oauth2/v1/token") { Content = new FormUrlEncodedContent(form) };
        req.Headers.Authorization = Basic(client.ClientId, client.ClientSecret);
        return await Http.SendAsync(req);
    }

    public async Task<string> TokenAsync(string scope = AllSeedScopes, EmulatedClient? client = null)
    {
        using var resp = await RequestTokenAsync(scope, client);
        var body = await Json(resp);
        Assert.True(resp.IsSuccessStatusCode, body?.ToJsonString());
        return body!["access_token"]!.GetValue<string>();
    }

    public async Task<(HttpResponseMessage Response, JsonNode? Body)> ApiAsync(HttpMethod method, string path, string? token, JsonNode? body = null)
    {
        using var req = new HttpRequestMessage(method, path);
        if (token is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) req.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        var resp = await Http.SendAsync(req);
        return (resp, await Json(resp));
    }

    public static async Task<JsonNode?> Json(HttpResponseMessage resp)
    {
        var text = await resp.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public static JsonObject HookBody(string uri, params string[] types)
    {
        var items = new JsonArray();
        foreach (var t in types.Length == 0 ? ["user.session.start"] : types) items.Add(t);
        return new JsonObject
        {
            ["name"] = "IdentiGuard",
            ["events"] = new JsonObject { ["type"] = "EVENT_TYPE", ["items"] = items },
            ["channel"] = new JsonObject
            {
                ["type"] = "HTTP",
                ["version"] = "1.0.0",
                ["config"] = new JsonObject
                {
                    ["uri"] = uri,
                    ["headers"] = new JsonArray(new JsonObject { ["key"] = "X-Tenant", ["value"] = "acme" }),
                    ["authScheme"] = new JsonObject { ["type"] = "HEADER", ["key"] = "Authorization", ["value"] = "Bearer hook-secret" },
                },
            },
        };
    }

    public async Task<string> CreateHookAsync(string token, string uri, params string[] types)
    {
        var (resp, body) = await ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", token, HookBody(uri, types));
        Assert.Equal(200, (int)resp.StatusCode);
        return body!["id"]!.GetValue<string>();
    }

    /// <summary>Creates and verifies a hook against the receiver; returns its id.</summary>
    public async Task<string> CreateVerifiedHookAsync(string token, HookReceiver receiver, params string[] types)
    {
        var id = await CreateHookAsync(token, receiver.Url, types);
        var (resp, body) = await ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", token);
        Assert.True(resp.IsSuccessStatusCode, body?.ToJsonString());
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}
