using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Server.Okta;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Tenants;

/// <summary>Steps 3 and 4 of the customer's Okta integration guide, end to end against the emulated org.</summary>
public sealed class OktaSetupGuideTests
{
    [Fact]
    public async Task AddTenantWithSelectAll_CreatesVerifiedActiveHookWithHeaderSecret()
    {
        await using var org = await TestOrg.StartAsync();
        var tenant = await org.ConnectedTenantAsync();
        var tenantId = tenant.GetProperty("id").GetGuid();

        var hook = Assert.Single(org.Okta.Hooks);
        Assert.Equal("ACTIVE", hook.Status);
        Assert.Equal("VERIFIED", hook.VerificationStatus);
        Assert.Equal($"{org.App.BaseUrl}/hooks/okta/{tenantId}", hook.Uri);
        Assert.Equal("authorization", hook.AuthSchemeKey, ignoreCase: true);
        Assert.False(string.IsNullOrWhiteSpace(hook.AuthSchemeValue));

        var catalog = org.App.Services.GetRequiredService<EventTypeCatalog>();
        Assert.Equal(catalog.HookEligible.Select(t => t.Type).Order(), hook.EventTypes.Order());
        Assert.Equal(catalog.HookEligible.Count + catalog.SystemLogOnly.Count, tenant.GetProperty("eventTypes").GetArrayLength());
    }

    [Fact]
    public async Task PreviewDeliveryOfTypeWithoutSampleData_ShowsAnAlertWithinFiveSeconds()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var hook = Assert.Single(org.Okta.Hooks);
        const string type = "user.account.privilege.grant";
        Assert.DoesNotContain(org.Okta.SystemLog, e => e["eventType"]?.ToString() == type);

        var delivery = await org.Okta.PreviewDeliverAsync(hook.Id, type);
        Assert.True(delivery.Success, delivery.Error);

        var alerts = await TestOrg.EventuallyAsync(() => org.AlertsAsync($"?kind=MonitoredEvent&eventType={type}"), a => a.GetProperty("total").GetInt32() > 0, TimeSpan.FromSeconds(5));
        var alert = Assert.Single(alerts.GetProperty("items").EnumerateArray());
        Assert.Equal(type, alert.GetProperty("eventType").GetString());
        Assert.Equal("High", alert.GetProperty("severity").GetString());

        var detail = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{alert.GetProperty("id").GetGuid()}"));
        var evidence = Assert.Single(detail.GetProperty("events").EnumerateArray());
        Assert.Contains(type, evidence.GetProperty("json").GetString());
    }

    [Fact]
    public async Task EveryOktaCall_IsInTheActivityLogWithItsRequestId()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();

        // The System Log poller calls Okta in the background too; its calls are logged when its turn ends.
        var served = org.Okta.Requests.Where(r => r.ClientId is not null || r.PathAndQuery.StartsWith("/oauth2")).Select(r => r.RequestId).ToList();
        JsonElement activity = default;
        HashSet<string?> logged = [];
        await TestOrg.EventuallyAsync(async () =>
        {
            activity = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/activity?take=500"));
            logged = activity.EnumerateArray().Where(a => a.GetProperty("action").GetString() == "okta.call")
                .Select(a => a.GetProperty("oktaRequestId").GetString()).ToHashSet();
            return logged;
        }, l => served.All(l.Contains));
        Assert.NotEmpty(served);
        Assert.All(served, id => Assert.Contains(id, logged));
        Assert.Contains(activity.EnumerateArray(), a => a.GetProperty("action").GetString() == "hook.verification");
    }

    [Fact]
    public async Task EditingEventTypes_ReplacesTheHookSubscription()
    {
        await using var org = await TestOrg.StartAsync();
        var tenant = await org.ConnectedTenantAsync();
        var id = tenant.GetProperty("id").GetGuid();

        var update = await org.App.Api.PutAsJsonAsync(org.App.WorkspacePath($"/tenants/{id}"), new
        {
            clientId = org.Okta.SeedClient.ClientId, clientSecret = (string?)null, domainUrl = org.Okta.BaseUrl,
            eventTypes = new[] { "user.session.start", "user.account.privilege.grant" },
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var hook = Assert.Single(org.Okta.Hooks);
        Assert.Equal(["user.account.privilege.grant", "user.session.start"], hook.EventTypes.Order());
        Assert.Equal("VERIFIED", hook.VerificationStatus);
    }

    [Fact]
    public async Task ReAddingATenant_RemovesTheLeftoverHookOfTheDeletedOne()
    {
        await using var org = await TestOrg.StartAsync();
        var first = await org.ConnectedTenantAsync();
        // Delete only in IdentiGuard's database, as if the tenant had been removed while Okta was unreachable.
        org.Okta.RevokeClient(org.Okta.SeedClient.ClientId);
        var delete = await org.App.Api.DeleteAsync(org.App.WorkspacePath($"/tenants/{first.GetProperty("id").GetGuid()}"));
        var deleted = await delete.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(deleted.GetProperty("hooksRemoved").GetBoolean());
        Assert.Contains("Workflow > Event Hooks", deleted.GetProperty("detail").GetString());

        var client = org.Okta.AddClient(OktaScopes.All.ToArray());
        var (response, body) = await org.AddTenantAsync(client.ClientId, client.ClientSecret);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var hook = Assert.Single(org.Okta.Hooks);
        Assert.EndsWith(body.GetProperty("tenant").GetProperty("id").GetGuid().ToString(), hook.Uri);
    }

    [Fact]
    public async Task AddingATenant_LeavesAnotherInstallationsHooksAlone_AndRemovesOnlyItsOwnLeftovers()
    {
        await using var org = await TestOrg.StartAsync();
        var otherInstallation = org.Okta.AddHook("IdentiGuard", $"https://identiguard-staging.example.com/hooks/okta/{Guid.NewGuid():D}", "user.session.start");
        var leftover = org.Okta.AddHook("IdentiGuard", $"{org.App.BaseUrl}/hooks/okta/{Guid.NewGuid():D}", "user.session.start");
        var unrelated = org.Okta.AddHook("SIEM forwarder", "https://siem.example.com/okta", "user.session.start");

        var tenant = await org.ConnectedTenantAsync();

        var ids = org.Okta.Hooks.Select(h => h.Id).ToList();
        Assert.Contains(otherInstallation, ids);
        Assert.Contains(unrelated, ids);
        Assert.DoesNotContain(leftover, ids);
        Assert.Single(org.Okta.Hooks, h => h.Uri.EndsWith(tenant.GetProperty("id").GetGuid().ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TenantsAddedTogetherForOneOrg_EachKeepItsHook()
    {
        await using var org = await TestOrg.StartAsync();
        // Several workspaces' tenants for one org, added at once: none may take another's new hook for a leftover.
        var clients = Enumerable.Range(0, 6).Select(_ => org.Okta.AddClient(OktaScopes.All.ToArray())).ToList();
        var added = await Task.WhenAll(clients.Select(c => org.AddTenantAsync(c.ClientId, c.ClientSecret)));

        Assert.All(added, a => Assert.Equal(HttpStatusCode.Created, a.Response.StatusCode));
        Assert.All(added, a => Assert.Equal("Connected", a.Body.GetProperty("tenant").GetProperty("status").GetString()));
        var hookUris = org.Okta.Hooks.Select(h => h.Uri).ToList();
        Assert.All(added, a => Assert.Single(hookUris, u => u.EndsWith(a.Body.GetProperty("tenant").GetProperty("id").GetGuid().ToString(), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeletingATenant_DeactivatesAndDeletesItsHooksInOkta()
    {
        await using var org = await TestOrg.StartAsync();
        var tenant = await org.ConnectedTenantAsync();
        var response = await org.App.Api.DeleteAsync(org.App.WorkspacePath($"/tenants/{tenant.GetProperty("id").GetGuid()}?purgeData=true"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(org.Okta.Hooks);
        Assert.Contains(org.Okta.Requests, r => r.Method == "POST" && r.PathAndQuery.EndsWith("/lifecycle/deactivate"));
        Assert.Contains(org.Okta.Requests, r => r.Method == "DELETE" && r.StatusCode == 204);
    }
}

public sealed class PublicBaseUrlChangeTests
{
    [Fact]
    public async Task ChangedPublicBaseUrl_RepointsTheHooksAtStart()
    {
        await using var org = await TestOrg.StartAsync();
        var tenant = await org.ConnectedTenantAsync();
        var tenantId = tenant.GetProperty("id").GetGuid();

        // Same host, new public name: as when a reverse proxy or tunnel address changes.
        var moved = $"http://localhost:{org.App.Port}";
        await org.RestartAppAsync(publicBaseUrl: moved);

        var hook = await TestOrg.EventuallyAsync(() => Task.FromResult(org.Okta.Hooks.Single()), h => h.Uri.StartsWith(moved), TimeSpan.FromSeconds(20));
        Assert.Equal($"{moved}/hooks/okta/{tenantId}", hook.Uri);
        Assert.Equal("VERIFIED", hook.VerificationStatus);
    }
}
