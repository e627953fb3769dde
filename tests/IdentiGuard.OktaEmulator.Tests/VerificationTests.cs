using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class VerificationTests : IAsyncLifetime
{
    private TestOrg _org = null!;
    private HookReceiver _receiver = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _org = await TestOrg.StartAsync(o => o.DeliveryTimeout = TimeSpan.FromMilliseconds(500));
        _receiver = await HookReceiver.StartAsync();
        _token = await _org.TokenAsync();
    }

    public async Task DisposeAsync()
    {
        await _org.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Verification_sends_a_challenge_get_with_the_auth_and_custom_headers_and_marks_the_hook_verified()
    {
        var id = await _org.CreateHookAsync(_token, _receiver.Url);

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", _token);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("VERIFIED", body!["verificationStatus"]!.GetValue<string>());
        var get = Assert.Single(_receiver.Received);
        Assert.Equal("GET", get.Method);
        Assert.False(string.IsNullOrEmpty(get.Header("x-okta-verification-challenge")));
        Assert.Equal("Bearer hook-secret", get.Header("Authorization"));
        Assert.Equal("acme", get.Header("X-Tenant"));
        var logged = _org.Emulator.SystemLog.Single(e => e["eventType"]!.GetValue<string>() == "event_hook.verified");
        Assert.Equal("SUCCESS", logged["outcome"]!["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrong_challenge_answer_fails_verification_with_400_and_leaves_the_hook_unverified()
    {
        _receiver.Reply = (r, _) => new ReceiverReply(200, new JsonObject { ["verification"] = "not-the-challenge" }.ToJsonString());
        var id = await _org.CreateHookAsync(_token, _receiver.Url);

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000001", body!["errorCode"]!.GetValue<string>());
        Assert.Contains("did not match", body["errorCauses"]![0]!["errorSummary"]!.GetValue<string>());
        Assert.Equal("UNVERIFIED", _org.Emulator.Hooks.Single().VerificationStatus);
        var logged = _org.Emulator.SystemLog.Single(e => e["eventType"]!.GetValue<string>() == "event_hook.verified");
        Assert.Equal("FAILURE", logged["outcome"]!["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_verification_timeout_is_retried_once_and_then_fails_with_400()
    {
        _receiver.Reply = (_, _) => new ReceiverReply(200, null, TimeSpan.FromSeconds(5));
        var id = await _org.CreateHookAsync(_token, _receiver.Url);

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Contains("timed out", body!["errorCauses"]![0]!["errorSummary"]!.GetValue<string>());
        var attempts = _org.Emulator.Deliveries.Where(d => d.Kind == DeliveryKind.Verification).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(2, _receiver.Gets.Count);
    }

    [Fact]
    public async Task An_error_status_is_retried_once_and_the_retry_can_succeed()
    {
        _receiver.Reply = (r, n) => n == 1 ? new ReceiverReply(503) : HookReceiver.Default(r, n);
        var id = await _org.CreateHookAsync(_token, _receiver.Url);

        var (resp, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", _token);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal(2, _receiver.Gets.Count);
        Assert.Equal("VERIFIED", _org.Emulator.Hooks.Single().VerificationStatus);
    }

    [Fact]
    public async Task Replacing_the_channel_resets_verification_but_renaming_does_not()
    {
        var id = await _org.CreateVerifiedHookAsync(_token, _receiver);

        var renamed = TestOrg.HookBody(_receiver.Url);
        renamed["name"] = "Renamed";
        var (_, afterRename) = await _org.ApiAsync(HttpMethod.Put, $"/api/v1/eventHooks/{id}", _token, renamed);
        var moved = TestOrg.HookBody(_receiver.Url + "/v2");
        var (_, afterMove) = await _org.ApiAsync(HttpMethod.Put, $"/api/v1/eventHooks/{id}", _token, moved);

        Assert.Equal("VERIFIED", afterRename!["verificationStatus"]!.GetValue<string>());
        Assert.Equal("Renamed", afterRename["name"]!.GetValue<string>());
        Assert.Equal("UNVERIFIED", afterMove!["verificationStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replacing_with_an_auth_scheme_but_without_its_value_is_rejected()
    {
        var id = await _org.CreateVerifiedHookAsync(_token, _receiver);
        var body = TestOrg.HookBody(_receiver.Url);
        body["channel"]!["config"]!["authScheme"]!.AsObject().Remove("value");

        var (resp, error) = await _org.ApiAsync(HttpMethod.Put, $"/api/v1/eventHooks/{id}", _token, body);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Contains("authScheme.value", error!["errorCauses"]![0]!["errorSummary"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_error_responses_fail_verification_with_the_status_code_in_the_cause()
    {
        _receiver.Reply = (_, _) => new ReceiverReply(500);
        var id = await _org.CreateHookAsync(_token, _receiver.Url);

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Contains("HTTP 500", body!["errorCauses"]![0]!["errorSummary"]!.GetValue<string>());
        Assert.Equal(2, _receiver.Gets.Count);
    }

    [Fact]
    public async Task Replacing_without_an_auth_scheme_removes_the_auth_header_from_later_requests()
    {
        var id = await _org.CreateVerifiedHookAsync(_token, _receiver);
        var body = TestOrg.HookBody(_receiver.Url);
        body["channel"]!["config"]!.AsObject().Remove("authScheme");

        var (resp, replaced) = await _org.ApiAsync(HttpMethod.Put, $"/api/v1/eventHooks/{id}", _token, body);
        await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", _token);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Null(replaced!["channel"]!["config"]!["authScheme"]);
        Assert.Null(_org.Emulator.Hooks.Single().AuthSchemeKey);
        Assert.Null(_receiver.Gets[^1].Header("Authorization"));
    }
}
