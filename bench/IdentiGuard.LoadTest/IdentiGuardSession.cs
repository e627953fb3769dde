using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IdentiGuard.LoadTest;

/// <summary>
/// A signed-in IdentiGuard API session: the real sign-in form (antiforgery token from the page, cookies kept), then a
/// personal API token for the REST API, as <c>tests/IdentiGuard.Tests/Infrastructure/IdentiGuardApp.cs</c> does.
/// </summary>
internal sealed partial class IdentiGuardSession : IDisposable
{
    private IdentiGuardSession(HttpClient api, Guid workspaceId)
    {
        Api = api;
        WorkspaceId = workspaceId;
    }

    public HttpClient Api { get; }
    public Guid WorkspaceId { get; }

    public static async Task<IdentiGuardSession> SignInAsync(Uri baseUrl, string email, string password, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var page = await browser.GetStringAsync("account/login", ct);
        var match = AntiforgeryInput().Match(page);
        if (!match.Success) throw new InvalidOperationException("GET /account/login has no __RequestVerificationToken input.");
        using var login = await browser.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email,
            ["password"] = password,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(match.Groups[1].Value),
            ["returnUrl"] = "/",
        }), ct);
        if ((int)login.StatusCode >= 400)
            throw new InvalidOperationException($"POST /account/login answered {(int)login.StatusCode}.");

        // API tokens are scoped to one workspace and a role: the account's first workspace, with its own role.
        var memberships = await browser.GetFromJsonAsync<JsonElement>("api/workspaces", ct);
        if (memberships.GetArrayLength() == 0) throw new InvalidOperationException("The account has no workspace.");
        var first = memberships[0];
        using var token = await browser.PostAsJsonAsync("api/me/tokens", new
        {
            name = $"load-test-{DateTime.UtcNow:yyyyMMddHHmmss}", workspaceId = first.GetProperty("workspaceId").GetGuid(),
            role = first.GetProperty("role").GetString(), expiresInDays = 1,
        }, ct);
        if (!token.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/me/tokens answered {(int)token.StatusCode} (wrong e-mail or password?): {await token.Content.ReadAsStringAsync(ct)}");
        var value = (await token.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("value").GetString()
            ?? throw new InvalidOperationException("POST /api/me/tokens returned no value.");

        var api = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);
            var workspaces = await api.GetFromJsonAsync<JsonElement>("api/workspaces", ct);
            if (workspaces.GetArrayLength() == 0) throw new InvalidOperationException("The account has no workspace.");
            return new IdentiGuardSession(api, workspaces[0].GetProperty("workspaceId").GetGuid());
        }
        catch
        {
            api.Dispose();
            throw;
        }
    }

    /// <summary>The same signed-in API session (token, workspace) against another host of the cluster.</summary>
    public IdentiGuardSession ForHost(Uri baseUrl)
    {
        var api = new HttpClient { BaseAddress = baseUrl, Timeout = Api.Timeout };
        api.DefaultRequestHeaders.Authorization = Api.DefaultRequestHeaders.Authorization;
        return new IdentiGuardSession(api, WorkspaceId);
    }

    /// <summary>Adds a tenant for the emulated org (the guide's "Add Tenant" with Select All); returns the tenant JSON.</summary>
    public async Task<JsonElement> AddTenantAsync(string clientId, string clientSecret, string domainUrl, CancellationToken ct)
    {
        using var response = await Api.PostAsJsonAsync($"api/workspaces/{WorkspaceId}/tenants", new { clientId, clientSecret, domainUrl }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new TenantSetupException($"POST /api/workspaces/{WorkspaceId}/tenants answered {(int)response.StatusCode}: {text}");
        var tenant = JsonDocument.Parse(text).RootElement.GetProperty("tenant").Clone();
        var status = tenant.GetProperty("status").GetString();
        if (status != "Connected")
            throw new TenantSetupException($"The tenant's status is {status}, not Connected: {text}");
        return tenant;
    }

    /// <summary><c>GET /api/workspaces/{id}/alerts?take=1</c> → total.</summary>
    public async Task<int> AlertTotalAsync(CancellationToken ct)
    {
        var page = await Api.GetFromJsonAsync<JsonElement>($"api/workspaces/{WorkspaceId}/alerts?take=1", ct);
        return page.GetProperty("total").GetInt32();
    }

    public void Dispose() => Api.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}

/// <summary>Adding the tenant failed or did not end Connected.</summary>
internal sealed class TenantSetupException(string message) : InvalidOperationException(message);
