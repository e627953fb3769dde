using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

/// <summary>The System Log events of user actions also reach event hooks, with the service app as actor and the request id as transaction.</summary>
public sealed class UserActionDeliveryTests : IAsyncLifetime
{
    private TestOrg _org = null!;
    private HookReceiver _receiver = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _org = await TestOrg.StartAsync();
        _receiver = await HookReceiver.StartAsync();
        _token = await _org.TokenAsync();
    }

    public async Task DisposeAsync()
    {
        await _org.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_suspend_through_the_api_is_delivered_to_a_subscribed_hook_with_the_app_as_actor_and_the_request_id_as_transaction()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver, "user.lifecycle.suspend", "user.session.clear");
        var user = _org.Emulator.AddUser("ann.lee@example.com", "Ann", "Lee");

        var (suspend, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{user.Login}/lifecycle/suspend", _token);
        var (clear, _) = await _org.ApiAsync(HttpMethod.Delete, $"/api/v1/users/{user.Id}/sessions?oauthTokens=true", _token);
        await _org.Emulator.WhenDeliveriesIdleAsync();

        var delivered = _receiver.Posts.SelectMany(p => p.Json!["data"]!["events"]!.AsArray()).ToList();
        var suspended = Assert.Single(delivered, e => e!["eventType"]!.GetValue<string>() == "user.lifecycle.suspend");
        Assert.Equal(_org.Emulator.SeedClient.ClientId, suspended!["actor"]!["id"]!.GetValue<string>());
        Assert.Equal(_org.Emulator.SeedClient.ClientId, suspended["client"]!["id"]!.GetValue<string>());
        Assert.Equal(suspend.Headers.GetValues("X-Okta-Request-Id").Single(), suspended["transaction"]!["id"]!.GetValue<string>());
        Assert.Equal(user.Id, suspended["target"]![0]!["id"]!.GetValue<string>());
        var cleared = Assert.Single(delivered, e => e!["eventType"]!.GetValue<string>() == "user.session.clear");
        Assert.Equal(clear.Headers.GetValues("X-Okta-Request-Id").Single(), cleared!["transaction"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_refused_action_changes_nothing_and_logs_nothing()
    {
        var user = _org.Emulator.AddUser("ann.lee@example.com", "Ann", "Lee");
        var readOnly = await _org.TokenAsync("okta.users.read", _org.Emulator.AddClient("okta.users.read"));

        var (noScope, _) = await _org.ApiAsync(HttpMethod.Delete, $"/api/v1/users/{user.Id}/sessions", readOnly);
        var (wrongStatus, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{user.Id}/lifecycle/unsuspend", _token);

        Assert.Equal(403, (int)noScope.StatusCode);
        Assert.Contains("insufficient_scope", noScope.Headers.WwwAuthenticate.ToString());
        Assert.Equal(400, (int)wrongStatus.StatusCode);
        Assert.Equal("E0000001", body!["errorCode"]!.GetValue<string>());
        Assert.Equal(0, _org.Emulator.FindUser(user.Id)!.SessionClears);
        Assert.DoesNotContain(_org.Emulator.SystemLog, e => e["eventType"]!.GetValue<string>() is "user.session.clear" or "user.lifecycle.unsuspend");
    }
}
