using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Server.Okta;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Tenants;

/// <summary>Each way connecting a tenant can fail ends in a status that names the remedy, and nothing half-done in Okta.</summary>
public sealed class TenantFailureTests
{
    private static string Status(JsonElement body) => body.GetProperty("tenant").GetProperty("status").GetString()!;

    private static string Detail(JsonElement body) => body.GetProperty("tenant").GetProperty("statusDetail").GetString()!;

    [Fact]
    public async Task WrongClientSecret_IsReportedAsCredentialsRejected()
    {
        await using var org = await TestOrg.StartAsync();
        var (response, body) = await org.AddTenantAsync(clientSecret: "not-the-secret-" + Guid.NewGuid());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("CredentialsRejected", Status(body));
        Assert.Contains("Client Secret", Detail(body));
        Assert.Empty(org.Okta.Hooks);
        var activity = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/activity?outcome=Failure"));
        Assert.Contains(activity.EnumerateArray(), a => a.GetProperty("oktaErrorCode").GetString() == "invalid_client" && a.GetProperty("oktaRequestId").GetString() is { Length: > 0 });
    }

    [Fact]
    public async Task MissingLogsScope_NamesTheScopeToGrant()
    {
        await using var org = await TestOrg.StartAsync();
        var client = org.Okta.AddClient(OktaScopes.EventHooksManage, OktaScopes.UsersRead);
        var (_, body) = await org.AddTenantAsync(client.ClientId, client.ClientSecret);
        Assert.Equal("MissingScope", Status(body));
        Assert.Contains("okta.logs.read", Detail(body));
        Assert.Empty(org.Okta.Hooks);
    }

    [Fact]
    public async Task MissingOptionalScope_ConnectsWithANotice()
    {
        await using var org = await TestOrg.StartAsync();
        var client = org.Okta.AddClient(OktaScopes.EventHooksManage, OktaScopes.LogsRead);
        var (_, body) = await org.AddTenantAsync(client.ClientId, client.ClientSecret);
        Assert.Equal("Connected", Status(body));
        Assert.Contains(body.GetProperty("notices").EnumerateArray(), n => n.GetString()!.Contains("okta.users.manage"));
    }

    [Fact]
    public async Task UnreachableDomain_IsReportedAsOktaUnreachable()
    {
        await using var org = await TestOrg.StartAsync();
        var (_, body) = await org.AddTenantAsync(domainUrl: $"http://127.0.0.1:{FreePort.Next()}");
        Assert.Equal("OktaUnreachable", Status(body));
        Assert.Contains("could not reach Okta", Detail(body));
    }

    [Fact]
    public async Task HookEndpointOktaCannotReach_IsReportedAsVerificationFailed()
    {
        // PublicBaseUrl points where nothing listens, as when a reverse proxy or tunnel is missing.
        await using var org = await TestOrg.StartAsync(publicBaseUrl: $"http://127.0.0.1:{FreePort.Next()}");
        var (_, body) = await org.AddTenantAsync();
        Assert.Equal("VerificationFailed", Status(body));
        Assert.Contains("PublicBaseUrl", Detail(body));
        Assert.All(org.Okta.Hooks, h => Assert.Equal("UNVERIFIED", h.VerificationStatus));
    }

    [Theory]
    [InlineData("acme-admin.okta.com", "Admin Console")]
    [InlineData("http://acme.okta.com", "HTTPS")]
    [InlineData("", "Okta domain")]
    public async Task InvalidDomainUrl_IsRefusedWithTheReason(string domain, string reason)
    {
        await using var org = await TestOrg.StartAsync();
        var (response, body) = await org.AddTenantAsync(domainUrl: domain);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, body.GetProperty("errors").GetProperty("domainUrl")[0].GetString());
    }
}
