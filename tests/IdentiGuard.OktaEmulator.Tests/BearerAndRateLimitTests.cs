using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class BearerAndRateLimitTests
{
    [Fact]
    public async Task A_request_without_a_token_gets_401_E0000011()
    {
        await using var org = await TestOrg.StartAsync();

        var (resp, body) = await org.ApiAsync(HttpMethod.Get, "/api/v1/eventHooks", null);

        Assert.Equal(401, (int)resp.StatusCode);
        Assert.Equal("E0000011", body!["errorCode"]!.GetValue<string>());
        Assert.Equal("Invalid token provided", body["errorSummary"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_token_gets_401_E0000011()
    {
        await using var org = await TestOrg.StartAsync();

        var (resp, body) = await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", "eyJnot.a.token");

        Assert.Equal(401, (int)resp.StatusCode);
        Assert.Equal("E0000011", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_expired_token_gets_401_E0000011()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var org = await TestOrg.StartAsync(o => o.TimeProvider = time);
        var token = await org.TokenAsync("okta.logs.read");

        time.Advance(TimeSpan.FromMinutes(61));
        var (resp, body) = await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);

        Assert.Equal(401, (int)resp.StatusCode);
        Assert.Equal("E0000011", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_without_the_required_scope_gets_403_with_an_insufficient_scope_challenge()
    {
        await using var org = await TestOrg.StartAsync();
        var token = await org.TokenAsync("okta.eventHooks.manage");

        var (resp, body) = await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);

        Assert.Equal(403, (int)resp.StatusCode);
        Assert.Equal("E0000006", body!["errorCode"]!.GetValue<string>());
        var challenge = resp.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains("scope=\"okta.logs.read\"", challenge);
    }

    [Fact]
    public async Task A_manage_scope_implies_the_matching_read_scope()
    {
        await using var org = await TestOrg.StartAsync();
        var token = await org.TokenAsync("okta.eventHooks.manage");

        var (resp, body) = await org.ApiAsync(HttpMethod.Get, "/api/v1/eventHooks", token);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.IsType<JsonArray>(body);
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_rate_limit_headers()
    {
        await using var org = await TestOrg.StartAsync();
        var token = await org.TokenAsync();

        var (first, _) = await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);
        var (second, _) = await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);

        var id1 = first.Headers.GetValues("X-Okta-Request-Id").Single();
        var id2 = second.Headers.GetValues("X-Okta-Request-Id").Single();
        Assert.NotEqual(id1, id2);
        Assert.Equal("120", first.Headers.GetValues("X-Rate-Limit-Limit").Single());
        Assert.Equal("119", first.Headers.GetValues("X-Rate-Limit-Remaining").Single());
        Assert.Equal("118", second.Headers.GetValues("X-Rate-Limit-Remaining").Single());
        Assert.Contains(org.Emulator.Requests, r => r.RequestId == id1 && r.ClientId == org.Emulator.SeedClient.ClientId && r.StatusCode == 200);
    }

    [Fact]
    public async Task A_wrong_method_gets_405_E0000022_and_an_unknown_api_path_gets_404_E0000007()
    {
        await using var org = await TestOrg.StartAsync();
        var token = await org.TokenAsync();

        var (wrongMethod, methodBody) = await org.ApiAsync(HttpMethod.Patch, "/api/v1/eventHooks", token);
        var (unknown, unknownBody) = await org.ApiAsync(HttpMethod.Get, "/api/v1/nothingHere", token);

        Assert.Equal(405, (int)wrongMethod.StatusCode);
        Assert.Equal("E0000022", methodBody!["errorCode"]!.GetValue<string>());
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal("E0000007", unknownBody!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exceeding_the_logs_bucket_returns_429_E0000047_with_a_reset_time_and_the_window_then_resets()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var org = await TestOrg.StartAsync(o => { o.TimeProvider = time; o.LogsRateLimitPerMinute = 2; });
        var token = await org.TokenAsync();

        await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);
        await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);
        var (limited, body) = await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);
        var (otherBucket, _) = await org.ApiAsync(HttpMethod.Get, "/api/v1/eventHooks", token);

        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("E0000047", body!["errorCode"]!.GetValue<string>());
        Assert.Equal("API call exceeded rate limit due to too many requests.", body["errorSummary"]!.GetValue<string>());
        Assert.Equal("0", limited.Headers.GetValues("X-Rate-Limit-Remaining").Single());
        var reset = long.Parse(limited.Headers.GetValues("X-Rate-Limit-Reset").Single());
        Assert.InRange(reset - time.GetUtcNow().ToUnixTimeSeconds(), 1, 61);
        Assert.Equal(200, (int)otherBucket.StatusCode);

        time.Advance(TimeSpan.FromSeconds(61));
        var (afterReset, _) = await org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);
        Assert.Equal(200, (int)afterReset.StatusCode);
    }
}
