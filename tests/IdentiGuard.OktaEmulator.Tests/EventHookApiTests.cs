using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class EventHookApiTests : IAsyncLifetime
{
    private TestOrg _org = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _org = await TestOrg.StartAsync();
        _token = await _org.TokenAsync();
    }

    public async Task DisposeAsync() => await _org.DisposeAsync();

    private static void AssertValidationError(HttpResponseMessage resp, JsonNode? body, string causeFragment)
    {
        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000001", body!["errorCode"]!.GetValue<string>());
        Assert.Equal("Api validation failed", body["errorSummary"]!.GetValue<string>());
        var causes = body["errorCauses"]!.AsArray().Select(c => c!["errorSummary"]!.GetValue<string>()).ToList();
        Assert.Contains(causes, c => c.Contains(causeFragment, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_created_hook_is_active_and_unverified_and_never_returns_the_auth_secret()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("https://identiguard.example.com/okta/hooks", "user.session.start"));

        Assert.Equal(200, (int)resp.StatusCode);
        var id = body!["id"]!.GetValue<string>();
        Assert.Matches("^who[A-Za-z0-9]{17}$", id);
        Assert.Equal("ACTIVE", body["status"]!.GetValue<string>());
        Assert.Equal("UNVERIFIED", body["verificationStatus"]!.GetValue<string>());
        Assert.Equal("POST", body["channel"]!["config"]!["method"]!.GetValue<string>());
        Assert.Null(body["channel"]!["config"]!["authScheme"]!["value"]);
        Assert.DoesNotContain("hook-secret", body.ToJsonString());
        var (_, fetched) = await _org.ApiAsync(HttpMethod.Get, $"/api/v1/eventHooks/{id}", _token);
        Assert.DoesNotContain("hook-secret", fetched!.ToJsonString());
        Assert.Equal("Bearer hook-secret", _org.Emulator.Hooks.Single().AuthSchemeValue);
    }

    [Fact]
    public async Task Creating_a_hook_writes_an_event_hook_created_event_whose_transaction_is_the_request_id()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("https://identiguard.example.com/okta/hooks"));
        var requestId = resp.Headers.GetValues("X-Okta-Request-Id").Single();

        var ev = _org.Emulator.SystemLog.Single(e => e["eventType"]!.GetValue<string>() == "event_hook.created");
        Assert.Equal(requestId, ev["transaction"]!["id"]!.GetValue<string>());
        Assert.Equal(_org.Emulator.SeedClient.ClientId, ev["actor"]!["id"]!.GetValue<string>());
        Assert.Equal(body!["id"]!.GetValue<string>(), ev["target"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_http_uri_is_rejected_without_loopback_test_mode()
    {
        await using var strict = await TestOrg.StartAsync(o => o.LoopbackTestMode = false);
        var token = await strict.TokenAsync();

        var (resp, body) = await strict.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", token,
            TestOrg.HookBody("http://127.0.0.1:5000/okta/hooks"));

        AssertValidationError(resp, body, "https://");
    }

    [Fact]
    public async Task An_http_uri_on_a_non_loopback_host_is_rejected_even_in_loopback_test_mode()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("http://identiguard.example.com/okta/hooks"));

        AssertValidationError(resp, body, "https://");
    }

    [Fact]
    public async Task A_uri_longer_than_1024_characters_is_rejected()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("https://identiguard.example.com/" + new string('a', 1100)));

        AssertValidationError(resp, body, "1024");
    }

    [Fact]
    public async Task More_than_300_event_types_are_rejected()
    {
        var eligible = EventHooks.EventTypeCatalog.Default.All.Where(t => t.EventHookEligible).Select(t => t.Type).Take(301).ToArray();
        Assert.Equal(301, eligible.Length);

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("https://identiguard.example.com/okta/hooks", eligible));

        AssertValidationError(resp, body, "at most 300");
    }

    [Fact]
    public async Task An_event_type_that_is_not_hook_eligible_is_rejected()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("https://identiguard.example.com/okta/hooks", "user.session.start", "security.threat.detected"));

        AssertValidationError(resp, body, "security.threat.detected is not eligible");
    }

    [Fact]
    public async Task An_unknown_event_type_is_rejected()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("https://identiguard.example.com/okta/hooks", "user.made.up"));

        AssertValidationError(resp, body, "user.made.up");
    }

    [Fact]
    public async Task A_reserved_custom_header_is_rejected()
    {
        var hook = TestOrg.HookBody("https://identiguard.example.com/okta/hooks");
        hook["channel"]!["config"]!["headers"] = new JsonArray(new JsonObject { ["key"] = "Accept", ["value"] = "text/plain" });

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token, hook);

        AssertValidationError(resp, body, "reserved");
    }

    [Fact]
    public async Task The_twenty_sixth_active_hook_is_rejected()
    {
        for (var i = 0; i < 25; i++)
            await _org.CreateHookAsync(_token, $"https://identiguard.example.com/okta/hooks/{i}");

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token,
            TestOrg.HookBody("https://identiguard.example.com/okta/hooks/26"));

        AssertValidationError(resp, body, "at most 25 active");
        Assert.Equal(25, _org.Emulator.Hooks.Count);
    }

    [Fact]
    public async Task Reactivating_a_hook_beyond_25_active_hooks_is_rejected()
    {
        var first = await _org.CreateHookAsync(_token, "https://identiguard.example.com/okta/hooks/0");
        await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{first}/lifecycle/deactivate", _token);
        for (var i = 1; i <= 25; i++)
            await _org.CreateHookAsync(_token, $"https://identiguard.example.com/okta/hooks/{i}");

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{first}/lifecycle/activate", _token);

        AssertValidationError(resp, body, "at most 25 active");
    }

    [Fact]
    public async Task Deleting_an_active_hook_is_rejected_and_deleting_after_deactivation_succeeds()
    {
        var id = await _org.CreateHookAsync(_token, "https://identiguard.example.com/okta/hooks");

        var (activeDelete, activeBody) = await _org.ApiAsync(HttpMethod.Delete, $"/api/v1/eventHooks/{id}", _token);
        var (deactivate, deactivated) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/deactivate", _token);
        var (delete, deleteBody) = await _org.ApiAsync(HttpMethod.Delete, $"/api/v1/eventHooks/{id}", _token);
        var (get, getBody) = await _org.ApiAsync(HttpMethod.Get, $"/api/v1/eventHooks/{id}", _token);

        AssertValidationError(activeDelete, activeBody, "INACTIVE");
        Assert.Equal("INACTIVE", deactivated!["status"]!.GetValue<string>());
        Assert.Equal(204, (int)delete.StatusCode);
        Assert.Null(deleteBody);
        Assert.Equal(404, (int)get.StatusCode);
        Assert.Equal("E0000007", getBody!["errorCode"]!.GetValue<string>());
        var types = _org.Emulator.SystemLog.Select(e => e["eventType"]!.GetValue<string>()).ToList();
        Assert.Contains("event_hook.deactivated", types);
        Assert.Contains("event_hook.deleted", types);
    }

    [Fact]
    public async Task Unknown_hook_ids_return_404_E0000007_on_every_operation()
    {
        const string id = "whoAAAAAAAAAAAAAAAAA";
        var results = new[]
        {
            await _org.ApiAsync(HttpMethod.Get, $"/api/v1/eventHooks/{id}", _token),
            await _org.ApiAsync(HttpMethod.Put, $"/api/v1/eventHooks/{id}", _token, TestOrg.HookBody("https://x.example.com/h")),
            await _org.ApiAsync(HttpMethod.Delete, $"/api/v1/eventHooks/{id}", _token),
            await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/activate", _token),
            await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", _token),
        };

        Assert.All(results, r =>
        {
            Assert.Equal(404, (int)r.Response.StatusCode);
            Assert.Equal("E0000007", r.Body!["errorCode"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task A_malformed_json_body_is_rejected_with_E0000003()
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/eventHooks")
        {
            Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"),
        };
        req.Headers.Authorization = new("Bearer", _token);
        using var resp = await _org.Http.SendAsync(req);
        var body = await TestOrg.Json(resp);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000003", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Managing_hooks_with_a_read_only_token_is_forbidden()
    {
        var client = _org.Emulator.AddClient("okta.eventHooks.read");
        var token = await _org.TokenAsync("okta.eventHooks.read", client);

        var (resp, _) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", token,
            TestOrg.HookBody("https://identiguard.example.com/okta/hooks"));

        Assert.Equal(403, (int)resp.StatusCode);
        Assert.Contains("scope=\"okta.eventHooks.manage\"", resp.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_filter_for_an_event_type_the_hook_does_not_subscribe_to_is_rejected()
    {
        var hook = TestOrg.HookBody("https://identiguard.example.com/okta/hooks", "user.session.start");
        hook["events"]!["filter"] = JsonNode.Parse("""
            {"type":"EXPRESSION_LANGUAGE","eventFilterMap":[{"event":"group.user_membership.add",
             "condition":{"expression":"event.target.?[type eq 'UserGroup'].size()>0"}}]}
            """);

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", _token, hook);

        AssertValidationError(resp, body, "not one of the subscribed event types");
    }

    [Fact]
    public async Task Listing_hooks_returns_every_hook_with_links()
    {
        var a = await _org.CreateHookAsync(_token, "https://identiguard.example.com/a");
        var b = await _org.CreateHookAsync(_token, "https://identiguard.example.com/b");

        var (resp, body) = await _org.ApiAsync(HttpMethod.Get, "/api/v1/eventHooks", _token);

        Assert.Equal(200, (int)resp.StatusCode);
        var hooks = body!.AsArray();
        Assert.Equal([a, b], hooks.Select(h => h!["id"]!.GetValue<string>()).ToArray());
        Assert.EndsWith($"/api/v1/eventHooks/{a}/lifecycle/verify", hooks[0]!["_links"]!["verify"]!["href"]!.GetValue<string>());
    }
}
