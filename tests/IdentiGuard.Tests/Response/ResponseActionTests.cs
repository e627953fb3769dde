using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Infrastructure;
using static IdentiGuard.Tests.Response.ResponseTestSupport;

namespace IdentiGuard.Tests.Response;

/// <summary>Response actions from an alert reach the emulated Okta org and are recorded on the alert and in the activity log.</summary>
public sealed class ResponseActionTests
{
    [Fact]
    public async Task SuspendFromAnAlert_ReachesOkta_ChangesTheUser_IsRecordedWithTheRequestId_AndUnsuspendReversesIt()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var jane = org.Okta.AddUser("jane.doe@acme.example", "Jane", "Doe");
        await org.Okta.EmitAsync(UserSignsIn("jane-signin-1", jane));
        await org.Okta.WhenDeliveriesIdleAsync();
        var alertId = (await AlertForActorAsync(org, jane.Login)).GetProperty("id").GetGuid();

        var (response, action) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { alertId, action = "Suspend", reason = "Sign-in from a hostile network" });

        Assert.True(response.StatusCode == HttpStatusCode.Created, action.ToString());
        Assert.Equal("Succeeded", action.GetProperty("status").GetString());
        Assert.Equal(jane.Login, action.GetProperty("targetUser").GetString());
        Assert.Equal("SUSPENDED", org.Okta.FindUser(jane.Id)!.Status);
        var call = Assert.Single(org.Okta.Requests, r => IsPath(r, "POST", $"/api/v1/users/{jane.Login}/lifecycle/suspend"));
        Assert.Equal(200, call.StatusCode);
        Assert.Equal(call.RequestId, action.GetProperty("oktaRequestId").GetString());

        // On the alert: the action with Okta's result and request id.
        var onAlert = Assert.Single((await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/responses?alertId={alertId}"))).EnumerateArray());
        Assert.Equal(call.RequestId, onAlert.GetProperty("oktaRequestId").GetString());
        Assert.Equal(200, onAlert.GetProperty("oktaStatus").GetInt32());
        Assert.True(onAlert.GetProperty("canReverse").GetBoolean());
        // In the activity log: the Okta call and the action, both with the request id.
        var activity = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/activity?search={call.RequestId}"));
        Assert.Contains(activity.EnumerateArray(), a => a.GetProperty("action").GetString() == "response.suspend" && a.GetProperty("outcome").GetString() == "Success");
        Assert.Contains(activity.EnumerateArray(), a => a.GetProperty("action").GetString() == "okta.call");
        // In the alert's history: the action, its outcome and Okta's request id.
        var history = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{alertId}/history"));
        var entry = Assert.Single(history.EnumerateArray(), h => h.GetProperty("action").GetString() == "response.suspend");
        Assert.Equal(call.RequestId, entry.GetProperty("oktaRequestId").GetString());
        Assert.Equal("Succeeded", entry.GetProperty("after").GetString());

        var (reverseResponse, reversal) = await PostAsync(org.App.Api, org.App.WorkspacePath($"/responses/{action.GetProperty("id").GetGuid()}/reverse"), null);
        Assert.True(reverseResponse.StatusCode == HttpStatusCode.Created, reversal.ToString());
        Assert.Equal("Unsuspend", reversal.GetProperty("action").GetString());
        Assert.Equal("ACTIVE", org.Okta.FindUser(jane.Id)!.Status);
        Assert.Single(org.Okta.Requests, r => IsPath(r, "POST", $"/api/v1/users/{jane.Login}/lifecycle/unsuspend"));
        var (again, _) = await PostAsync(org.App.Api, org.App.WorkspacePath($"/responses/{action.GetProperty("id").GetGuid()}/reverse"), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task ClearSessions_RevokesOAuthTokensToo_AndOktaRefusalsAreRecordedAsFailures()
    {
        await using var org = await TestOrg.StartAsync();
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var sam = org.Okta.AddUser("sam.t@acme.example", "Sam", "T");

        var (cleared, clearedBody) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, user = sam.Id, action = "ClearSessions" });
        Assert.True(cleared.StatusCode == HttpStatusCode.Created, clearedBody.ToString());
        Assert.Single(org.Okta.Requests, r => IsPath(r, "DELETE", $"/api/v1/users/{sam.Id}/sessions?oauthTokens=true&forgetDevices=true"));
        var user = org.Okta.FindUser(sam.Id)!;
        Assert.Equal(1, user.SessionClears);
        Assert.True(user.LastSessionClearOAuthTokens);

        // Okta only unsuspends a SUSPENDED user: its E0000001 comes back as a clear failure, recorded with the request id.
        var (refused, problem) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, user = sam.Id, action = "Unsuspend" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("E0000001", problem.GetProperty("detail").GetString());
        var failed = problem.GetProperty("action");
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Equal("E0000001", failed.GetProperty("oktaErrorCode").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("oktaRequestId").GetString()));
        Assert.Equal("ACTIVE", org.Okta.FindUser(sam.Id)!.Status);

        var (unknown, unknownProblem) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, user = "nobody@acme.example", action = "Suspend" });
        Assert.Equal(HttpStatusCode.Conflict, unknown.StatusCode);
        Assert.Contains("E0000007", unknownProblem.GetProperty("detail").GetString());

        var (bad, _) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, action = "Suspend" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task WithoutTheUsersManageScope_ActionsFailWithAClearErrorAndChangeNothing()
    {
        await using var org = await TestOrg.StartAsync();
        var client = org.Okta.AddClient("okta.eventHooks.manage", "okta.logs.read");
        var (created, body) = await org.AddTenantAsync(client.ClientId, client.ClientSecret);
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.Equal("Connected", body.GetProperty("tenant").GetProperty("status").GetString());
        var tenantId = body.GetProperty("tenant").GetProperty("id").GetGuid();
        var jane = org.Okta.AddUser("jane.doe@acme.example", "Jane", "Doe");

        var (response, problem) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, user = jane.Login, action = "Suspend" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("okta.users.manage", problem.GetProperty("title").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("okta.users.manage", detail);
        Assert.Contains("Nothing was changed", detail);
        Assert.Equal("ACTIVE", org.Okta.FindUser(jane.Id)!.Status);
        Assert.DoesNotContain(org.Okta.Requests, r => r.PathAndQuery.StartsWith("/api/v1/users", StringComparison.Ordinal));
        Assert.DoesNotContain(org.Okta.SystemLog, e => e["eventType"]!.GetValue<string>() == "user.lifecycle.suspend");
    }

    [Fact]
    public async Task TwoPersonApproval_HoldsTheActionUntilADifferentMemberApproves()
    {
        await using var org = await TestOrg.StartAsync();
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var jane = org.Okta.AddUser("jane.doe@acme.example", "Jane", "Doe");
        var settings = await org.App.Api.PutAsJsonAsync(org.App.WorkspacePath("/responses/settings"), new { requireApproval = true });
        settings.EnsureSuccessStatusCode();
        using var second = await SecondMemberAsync(org.App, "second.analyst@example.com");

        var (requested, pending) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, user = jane.Id, action = "Suspend" });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        Assert.Equal("PendingApproval", pending.GetProperty("status").GetString());
        Assert.Equal("ACTIVE", org.Okta.FindUser(jane.Id)!.Status);
        Assert.DoesNotContain(org.Okta.Requests, r => r.PathAndQuery.StartsWith("/api/v1/users", StringComparison.Ordinal));
        var id = pending.GetProperty("id").GetGuid();

        var (selfApproval, selfProblem) = await PostAsync(org.App.Api, org.App.WorkspacePath($"/responses/{id}/approve"), null);
        Assert.Equal(HttpStatusCode.Conflict, selfApproval.StatusCode);
        Assert.Contains("different member", selfProblem.GetProperty("detail").GetString());
        Assert.Equal("ACTIVE", org.Okta.FindUser(jane.Id)!.Status);

        var (approved, done) = await PostAsync(second, org.App.WorkspacePath($"/responses/{id}/approve"), null);
        Assert.True(approved.StatusCode == HttpStatusCode.OK, done.ToString());
        Assert.Equal("Succeeded", done.GetProperty("status").GetString());
        Assert.Equal("second.analyst@example.com", done.GetProperty("decidedBy").GetString());
        Assert.Equal(IdentiGuardApp.AdminEmail, done.GetProperty("requestedBy").GetString());
        Assert.Equal("SUSPENDED", org.Okta.FindUser(jane.Id)!.Status);

        var (twice, _) = await PostAsync(second, org.App.WorkspacePath($"/responses/{id}/approve"), null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Single(org.Okta.Requests, r => r.PathAndQuery.Contains("/lifecycle/suspend", StringComparison.Ordinal));

        // A rejected request never reaches Okta.
        var (_, another) = await PostAsync(org.App.Api, org.App.WorkspacePath("/responses"), new { tenantId, user = jane.Id, action = "ResetFactors" });
        var (rejected, rejectedBody) = await PostAsync(second, org.App.WorkspacePath($"/responses/{another.GetProperty("id").GetGuid()}/reject"), null);
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal("Rejected", rejectedBody.GetProperty("status").GetString());
        Assert.Equal(0, org.Okta.FindUser(jane.Id)!.FactorResets);
    }
}
