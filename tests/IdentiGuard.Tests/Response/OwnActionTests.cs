using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Infrastructure;
using IdentiGuard.Tests.Notifications;
using static IdentiGuard.Tests.Response.ResponseTestSupport;

namespace IdentiGuard.Tests.Response;

/// <summary>What IdentiGuard itself does in Okta comes back through the hook and the System Log, and must not alert.</summary>
public sealed class OwnActionTests
{
    [Fact]
    public async Task IdentiGuardsOwnSuspend_RaisesNoAlert_WhileAnAdminsSuspendOfTheSameTypeDoes()
    {
        await using var org = await TestOrg.StartAsync();
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var jane = org.Okta.AddUser("jane.doe@acme.example", "Jane", "Doe");

        var (response, action) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, user = jane.Id, action = "Suspend" });
        Assert.True(response.IsSuccessStatusCode, action.ToString());
        await org.Okta.WhenDeliveriesIdleAsync();
        // Okta delivered IdentiGuard's own user.lifecycle.suspend to its hook; it is stored like any event…
        var stored = await TestOrg.EventuallyAsync(
            () => org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/events?filter=" + Uri.EscapeDataString("eventType eq \"user.lifecycle.suspend\""))),
            page => page.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(30));
        Assert.Single(stored.GetProperty("items").EnumerateArray());

        // …and an admin's suspend of the same type, delivered after it, does alert: so processing has passed IdentiGuard's event.
        await org.Okta.EmitAsync(NotificationTests.AdminSuspends("admin-suspend-1"));
        await org.Okta.WhenDeliveriesIdleAsync();
        await AlertForActorAsync(org, "it.admin@acme.example");

        var alerts = (await org.AlertsAsync("?take=200")).GetProperty("items").EnumerateArray().ToList();
        var suspendAlerts = alerts.Where(x => x.GetProperty("eventType").GetString() == "user.lifecycle.suspend").ToList();
        var only = Assert.Single(suspendAlerts);
        Assert.Equal("it.admin@acme.example", only.GetProperty("actor").GetString());
        Assert.DoesNotContain(alerts, x => x.GetProperty("actor").GetString() is { } actor && actor == org.Okta.SeedClient.ClientId);
    }
}
