using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class TokenEndpointTests : IAsyncLifetime
{
    private TestOrg _org = null!;

    public async Task InitializeAsync() => _org = await TestOrg.StartAsync();
    public async Task DisposeAsync() => await _org.DisposeAsync();

    private async Task<(int Status, JsonNode? Body)> PostTokenAsync(string form, string? basicId = null, string? basicSecret = null, string query = "")
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/oauth2/v1/token" + query)
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (basicId is not null) req.Headers.Authorization = TestOrg.Basic(basicId, basicSecret!);
        using var resp = await _org.Http.SendAsync(req);
        return ((int)resp.StatusCode, await TestOrg.Json(resp));
    }

    private (string Id, string Secret) Seed => (_org.Emulator.SeedClient.ClientId, _org.Emulator.SeedClient.ClientSecret);

    [Fact]
    public async Task Client_credentials_with_basic_auth_returns_a_one_hour_bearer_token_with_the_requested_scopes()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=okta.logs.read%20okta.eventHooks.manage", Seed.Id, Seed.Secret);

        Assert.Equal(200, status);
        Assert.Equal("Bearer", body!["token_type"]!.GetValue<string>());
        Assert.Equal(3600, body["expires_in"]!.GetValue<int>());
        Assert.Equal("okta.logs.read okta.eventHooks.manage", body["scope"]!.GetValue<string>());
        var token = body["access_token"]!.GetValue<string>();
        Assert.StartsWith("eyJ", token);
        Assert.Equal(3, token.Split('.').Length);
    }

    [Fact]
    public async Task A_requested_but_ungranted_scope_is_silently_left_out_of_the_token()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=okta.logs.read%20okta.groups.read", Seed.Id, Seed.Secret);

        Assert.Equal(200, status);
        Assert.Equal("okta.logs.read", body!["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Requesting_only_ungranted_scopes_fails_with_invalid_scope()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=okta.groups.read", Seed.Id, Seed.Secret);

        Assert.Equal(400, status);
        Assert.Equal("invalid_scope", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_scope_is_rejected_with_no_scopes_were_requested()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials", Seed.Id, Seed.Secret);

        Assert.Equal(400, status);
        Assert.Equal("invalid_scope", body!["error"]!.GetValue<string>());
        Assert.Equal("No scopes were requested.", body["error_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Oidc_scopes_are_rejected_for_client_credentials()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=openid%20okta.logs.read", Seed.Id, Seed.Secret);

        Assert.Equal(400, status);
        Assert.Equal("Cannot request 'openid' scopes using client credentials.", body!["error_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_scope_is_rejected_with_invalid_scope()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=okta.nonsense.read", Seed.Id, Seed.Secret);

        Assert.Equal(400, status);
        Assert.Equal("invalid_scope", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_wrong_secret_is_rejected_with_invalid_client()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=okta.logs.read", Seed.Id, "wrong");

        Assert.Equal(401, status);
        Assert.Equal("invalid_client", body!["error"]!.GetValue<string>());
        Assert.Equal("The client secret supplied for a confidential client is invalid.", body["error_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Credentials_in_the_post_body_are_rejected_because_only_client_secret_basic_is_allowed()
    {
        var (status, body) = await PostTokenAsync(
            $"grant_type=client_credentials&scope=okta.logs.read&client_id={Seed.Id}&client_secret={Seed.Secret}");

        Assert.Equal(401, status);
        Assert.Equal("invalid_client", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Credentials_in_both_header_and_body_are_rejected_as_multiple_client_credentials()
    {
        var (status, body) = await PostTokenAsync(
            $"grant_type=client_credentials&scope=okta.logs.read&client_id={Seed.Id}", Seed.Id, Seed.Secret);

        Assert.Equal(401, status);
        Assert.Equal("invalid_request", body!["error"]!.GetValue<string>());
        Assert.StartsWith("Cannot supply multiple client credentials.", body["error_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Credentials_in_the_query_string_are_rejected_with_400()
    {
        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=okta.logs.read", query: $"?client_id={Seed.Id}");

        Assert.Equal(400, status);
        Assert.Equal("Client credentials cannot be supplied via query parameters.", body!["error_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_grant_type_is_not_authorized_for_the_client()
    {
        var (status, body) = await PostTokenAsync("grant_type=password&scope=okta.logs.read", Seed.Id, Seed.Secret);

        Assert.Equal(400, status);
        Assert.Equal("unauthorized_client", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_grant_type_is_an_invalid_request()
    {
        var (status, body) = await PostTokenAsync("scope=okta.logs.read", Seed.Id, Seed.Secret);

        Assert.Equal(400, status);
        Assert.Equal("invalid_request", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_revoked_client_can_no_longer_get_tokens_and_its_tokens_stop_working()
    {
        var token = await _org.TokenAsync("okta.logs.read");
        _org.Emulator.RevokeClient(Seed.Id);

        var (status, body) = await PostTokenAsync("grant_type=client_credentials&scope=okta.logs.read", Seed.Id, Seed.Secret);
        var (apiResp, _) = await _org.ApiAsync(HttpMethod.Get, "/api/v1/logs", token);

        Assert.Equal(401, status);
        Assert.Equal("invalid_client", body!["error"]!.GetValue<string>());
        Assert.Equal(401, (int)apiResp.StatusCode);
    }

    [Fact]
    public async Task An_added_client_only_gets_its_own_grants()
    {
        var client = _org.Emulator.AddClient("okta.eventHooks.manage");

        using var resp = await _org.RequestTokenAsync("okta.eventHooks.manage okta.logs.read", client);
        var body = await TestOrg.Json(resp);

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("okta.eventHooks.manage", body!["scope"]!.GetValue<string>());
        Assert.NotEqual(_org.Emulator.SeedClient.ClientId, client.ClientId);
        Assert.StartsWith("0oa", client.ClientId);
    }
}
