using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class UserApiTests : IAsyncLifetime
{
    private TestOrg _org = null!;
    private string _token = null!;
    private OktaUser _user = null!;

    public async Task InitializeAsync()
    {
        _org = await TestOrg.StartAsync();
        _token = await _org.TokenAsync();
        _user = _org.Emulator.AddUser("jane.doe@example.com", "Jane", "Doe");
    }

    public async Task DisposeAsync() => await _org.DisposeAsync();

    [Fact]
    public async Task A_user_can_be_fetched_by_id_or_login()
    {
        var (byId, idBody) = await _org.ApiAsync(HttpMethod.Get, $"/api/v1/users/{_user.Id}", _token);
        var (byLogin, loginBody) = await _org.ApiAsync(HttpMethod.Get, "/api/v1/users/jane.doe@example.com", _token);

        Assert.Equal(200, (int)byId.StatusCode);
        Assert.Equal(200, (int)byLogin.StatusCode);
        Assert.Equal(_user.Id, loginBody!["id"]!.GetValue<string>());
        Assert.Equal("jane.doe@example.com", idBody!["profile"]!["login"]!.GetValue<string>());
        Assert.Equal("ACTIVE", idBody["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Suspend_then_unsuspend_moves_the_user_between_active_and_suspended_and_logs_each_action()
    {
        var (suspend, suspendBody) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/suspend", _token);
        var statusAfterSuspend = _org.Emulator.FindUser(_user.Id)!.Status;
        var (unsuspend, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/unsuspend", _token);

        Assert.Equal(200, (int)suspend.StatusCode);
        Assert.Equal("{}", suspendBody!.ToJsonString());
        Assert.Equal("SUSPENDED", statusAfterSuspend);
        Assert.Equal(200, (int)unsuspend.StatusCode);
        Assert.Equal("ACTIVE", _org.Emulator.FindUser(_user.Id)!.Status);

        var requestId = suspend.Headers.GetValues("X-Okta-Request-Id").Single();
        var ev = _org.Emulator.SystemLog.Single(e => e["eventType"]!.GetValue<string>() == "user.lifecycle.suspend");
        Assert.Equal(requestId, ev["transaction"]!["id"]!.GetValue<string>());
        Assert.Equal(_org.Emulator.SeedClient.ClientId, ev["actor"]!["id"]!.GetValue<string>());
        Assert.Equal(_user.Id, ev["target"]![0]!["id"]!.GetValue<string>());
        Assert.Contains(_org.Emulator.SystemLog, e => e["eventType"]!.GetValue<string>() == "user.lifecycle.unsuspend");
    }

    [Fact]
    public async Task Suspending_a_user_who_is_not_active_fails_with_E0000001()
    {
        await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/suspend", _token);

        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/suspend", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000001", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unsuspending_an_active_user_fails_with_E0000001()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/unsuspend", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000001", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_user_returns_404_E0000007()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, "/api/v1/users/00uUnknown0000000000/lifecycle/suspend", _token);

        Assert.Equal(404, (int)resp.StatusCode);
        Assert.Equal("E0000007", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lifecycle_actions_need_the_users_manage_scope()
    {
        var client = _org.Emulator.AddClient("okta.users.read");
        var readOnly = await _org.TokenAsync("okta.users.read", client);

        var (resp, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/suspend", readOnly);

        Assert.Equal(403, (int)resp.StatusCode);
        Assert.Equal("ACTIVE", _org.Emulator.FindUser(_user.Id)!.Status);
    }

    [Fact]
    public async Task Clearing_sessions_returns_204_records_the_options_and_logs_user_session_clear()
    {
        var (resp, _) = await _org.ApiAsync(HttpMethod.Delete, $"/api/v1/users/{_user.Id}/sessions?oauthTokens=true&forgetDevices=false", _token);

        Assert.Equal(204, (int)resp.StatusCode);
        var user = _org.Emulator.FindUser(_user.Id)!;
        Assert.Equal(1, user.SessionClears);
        Assert.True(user.LastSessionClearOAuthTokens);
        Assert.False(user.LastSessionClearForgetDevices);
        Assert.Contains(_org.Emulator.SystemLog, e => e["eventType"]!.GetValue<string>() == "user.session.clear");
    }

    [Fact]
    public async Task Expire_password_returns_the_user_with_password_expired_status()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/expire_password", _token);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("PASSWORD_EXPIRED", body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unlock_only_applies_to_locked_out_users()
    {
        var (notLocked, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/unlock", _token);
        _org.Emulator.SetUserStatus(_user.Id, "LOCKED_OUT");
        var (locked, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/unlock", _token);

        Assert.Equal(400, (int)notLocked.StatusCode);
        Assert.Equal(200, (int)locked.StatusCode);
        Assert.Equal("ACTIVE", _org.Emulator.FindUser(_user.Id)!.Status);
    }

    [Fact]
    public async Task Reset_factors_keeps_the_user_active_and_logs_reset_all()
    {
        var (resp, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/reset_factors", _token);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("ACTIVE", _org.Emulator.FindUser(_user.Id)!.Status);
        Assert.Equal(1, _org.Emulator.FindUser(_user.Id)!.FactorResets);
        Assert.Contains(_org.Emulator.SystemLog, e => e["eventType"]!.GetValue<string>() == "user.mfa.factor.reset_all");
    }

    [Fact]
    public async Task Deactivate_deprovisions_the_user()
    {
        var (resp, _) = await _org.ApiAsync(HttpMethod.Post, $"/api/v1/users/{_user.Id}/lifecycle/deactivate", _token);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("DEPROVISIONED", _org.Emulator.FindUser(_user.Id)!.Status);
    }
}
