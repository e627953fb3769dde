using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Infrastructure;
using IdentiGuard.Tests.Notifications;
using static IdentiGuard.Tests.Response.ResponseTestSupport;

namespace IdentiGuard.Tests.Response;

public sealed class AutomaticResponseTests
{
    [Fact]
    public async Task AnAutomaticResponseForARule_ClearsTheActorsSessionsOnANewAlert_AndRulesWithoutOneDoNothing()
    {
        var settings = new Dictionary<string, string?> { ["IdentiGuard:Notifications:PollInterval"] = "00:00:00.200" };
        await using var org = await TestOrg.StartAsync(settings);
        await org.ConnectedTenantAsync();
        var jane = org.Okta.AddUser("jane.doe@acme.example", "Jane", "Doe");
        var configured = await org.App.Api.PutAsJsonAsync(org.App.WorkspacePath("/responses/automatic/user.session.start"), new { action = "ClearSessions" }, IdentiGuardApp.Json);
        Assert.True(configured.IsSuccessStatusCode, await configured.Content.ReadAsStringAsync());

        await org.Okta.EmitAsync(UserSignsIn("jane-auto-1", jane));
        await org.Okta.EmitAsync(NotificationTests.AdminSuspends("admin-no-auto"));
        await org.Okta.WhenDeliveriesIdleAsync();
        var alertId = (await AlertForActorAsync(org, jane.Login)).GetProperty("id").GetGuid();
        var adminAlertId = (await AlertForActorAsync(org, "it.admin@acme.example")).GetProperty("id").GetGuid();

        var actions = await TestOrg.EventuallyAsync(
            () => org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/responses?alertId={alertId}")),
            a => a.GetArrayLength() == 1 && a[0].GetProperty("status").GetString() is "Succeeded" or "Failed", TimeSpan.FromSeconds(30));
        var action = Assert.Single(actions.EnumerateArray());
        Assert.Equal("Succeeded", action.GetProperty("status").GetString());
        Assert.True(action.GetProperty("automatic").GetBoolean());
        Assert.Equal("ClearSessions", action.GetProperty("action").GetString());
        Assert.Equal(jane.Login, action.GetProperty("targetUser").GetString());
        Assert.False(string.IsNullOrEmpty(action.GetProperty("oktaRequestId").GetString()));
        Assert.Equal(1, org.Okta.FindUser(jane.Id)!.SessionClears);

        Assert.Empty((await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/responses?alertId={adminAlertId}"))).EnumerateArray());
    }
}
