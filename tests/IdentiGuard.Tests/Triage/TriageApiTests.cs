using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Triage;

/// <summary>Triage through the REST API against alerts raised by the Okta emulator's hook deliveries.</summary>
public sealed class TriageApiTests
{
    /// <summary>Connecting a tenant raises alerts of its own (hook created and verified): the tests look at the MFA alerts they cause.</summary>
    private const string Mfa = "&ruleId=user.authentication.auth_via_mfa";

    private static async Task<JsonElement> AlertAsync(TestOrg org, Guid id) =>
        await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}"), IdentiGuardApp.Json);

    private static async Task<List<JsonElement>> HistoryAsync(TestOrg org, Guid id) =>
        (await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}/history"), IdentiGuardApp.Json)).EnumerateArray().ToList();

    [Fact]
    public async Task StatusAssigneeAndComments_AreRecordedInHistory_AndClosingNeedsAReason()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("ana@acme.example", 0));
        var id = await TriageEvents.AlertOfAsync(org, "ana@acme.example");
        var api = org.App.Api;
        Assert.Equal("New", (await AlertAsync(org, id)).GetProperty("alert").GetProperty("status").GetString());

        var ack = await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "Acknowledged" });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var progress = await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "InProgress" });
        Assert.Equal(HttpStatusCode.OK, progress.StatusCode);

        // Closing without a reason is refused and changes nothing.
        foreach (var closing in new[] { "Resolved", "FalsePositive" })
        {
            var refused = await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = closing, reason = "  " });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("reason", problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal("InProgress", (await AlertAsync(org, id)).GetProperty("alert").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "Closed" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { reason = "no status" })).StatusCode);

        var me = await api.GetFromJsonAsync<JsonElement>("/api/me");
        var ownerId = me.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/assignee"), new { assigneeId = ownerId })).StatusCode);
        var stranger = await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/assignee"), new { assigneeId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/comments"), new { text = "Called Ana: she was travelling." })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/comments"), new { text = "" })).StatusCode);
        var resolved = await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "Resolved", reason = "Confirmed with the user" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);

        var alert = (await AlertAsync(org, id)).GetProperty("alert");
        Assert.Equal("Resolved", alert.GetProperty("status").GetString());
        Assert.Equal("Confirmed with the user", alert.GetProperty("statusReason").GetString());
        Assert.Equal(IdentiGuardApp.AdminEmail, alert.GetProperty("assignee").GetString());

        var history = await HistoryAsync(org, id);
        Assert.Equal(["status", "status", "assignee", "comment", "status"], history.Select(h => h.GetProperty("action").GetString()));
        Assert.All(history, h => Assert.Equal(IdentiGuardApp.AdminEmail, h.GetProperty("actor").GetString()));
        Assert.Equal(("New", "Acknowledged"), (history[0].GetProperty("before").GetString(), history[0].GetProperty("after").GetString()));
        Assert.Equal(("Acknowledged", "InProgress"), (history[1].GetProperty("before").GetString(), history[1].GetProperty("after").GetString()));
        Assert.Equal(IdentiGuardApp.AdminEmail, history[2].GetProperty("after").GetString());
        Assert.Equal("Called Ana: she was travelling.", history[3].GetProperty("comment").GetString());
        Assert.Equal(("InProgress", "Resolved", "Confirmed with the user"),
            (history[4].GetProperty("before").GetString(), history[4].GetProperty("after").GetString(), history[4].GetProperty("comment").GetString()));

        // Filters: by status and by assignee.
        Assert.Single(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?status=Resolved" + Mfa)));
        Assert.Empty(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?status=New,Acknowledged" + Mfa)));
        Assert.Single(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?assignee=me" + Mfa)));
        Assert.Empty(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?assignee=none" + Mfa)));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync(org.App.WorkspacePath("/alerts?status=Closed" + Mfa))).StatusCode);

        // Other features (response actions, say) append entries of their own kind through the same writer.
        await using (var scope = org.App.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<IdentiGuard.Server.Storage.WorkspaceScope>().Enter(org.App.WorkspaceId);
            var writer = scope.ServiceProvider.GetRequiredService<IdentiGuard.Server.Triage.AlertHistory>();
            Assert.True(await writer.WriteAsync(id, "IdentiGuard", "response.suspend", "ACTIVE", "SUSPENDED", "Suspended in Okta", oktaRequestId: "req-42"));
            Assert.False(await writer.WriteAsync(Guid.NewGuid(), "IdentiGuard", "response.suspend"));
        }
        var extended = (await HistoryAsync(org, id))[^1];
        Assert.Equal(("response.suspend", "SUSPENDED", "req-42"),
            (extended.GetProperty("action").GetString(), extended.GetProperty("after").GetString(), extended.GetProperty("oktaRequestId").GetString()));

        // Reopening clears the reason.
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "InProgress" })).StatusCode);
        var reopened = (await AlertAsync(org, id)).GetProperty("alert");
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("statusReason").ValueKind);
    }

    [Fact]
    public async Task BulkChange_AppliesToEverySelectedAlert_OrToNoneWhenOneIsUnknown()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("ben@acme.example", 0), TriageEvents.MfaVerify("cy@acme.example", 5), TriageEvents.MfaVerify("dee@acme.example", 9));
        var ben = await TriageEvents.AlertOfAsync(org, "ben@acme.example");
        var cy = await TriageEvents.AlertOfAsync(org, "cy@acme.example");
        var dee = await TriageEvents.AlertOfAsync(org, "dee@acme.example");
        var api = org.App.Api;
        var ownerId = (await api.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetGuid();

        var noReason = await api.PostAsJsonAsync(org.App.WorkspacePath("/alerts/bulk"), new { alertIds = new[] { ben, cy }, status = "FalsePositive" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var unknown = await api.PostAsJsonAsync(org.App.WorkspacePath("/alerts/bulk"), new { alertIds = new[] { ben, Guid.NewGuid() }, status = "Acknowledged" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(3, (await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?status=New" + Mfa))).Count);

        var bulk = await api.PostAsJsonAsync(org.App.WorkspacePath("/alerts/bulk"),
            new { alertIds = new[] { ben, cy }, status = "FalsePositive", reason = "Load test accounts", assigneeId = ownerId, comment = "Bulk closed" });
        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        Assert.Equal(2, (await bulk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetInt32());

        var closed = await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?status=FalsePositive" + Mfa));
        Assert.Equal(new[] { ben, cy }.Order(), closed.Select(a => a.GetProperty("id").GetGuid()).Order());
        Assert.All(closed, a => Assert.Equal("Load test accounts", a.GetProperty("statusReason").GetString()));
        Assert.Equal(dee, Assert.Single(await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?status=New" + Mfa))).GetProperty("id").GetGuid());
        foreach (var id in new[] { ben, cy })
        {
            var history = (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}/history"))).EnumerateArray().ToList();
            Assert.Equal(["status", "assignee", "comment"], history.Select(h => h.GetProperty("action").GetString()));
        }

        var unassign = await api.PostAsJsonAsync(org.App.WorkspacePath("/alerts/bulk"), new { alertIds = new[] { ben, cy }, unassign = true });
        Assert.Equal(HttpStatusCode.OK, unassign.StatusCode);
        Assert.Equal(3, (await TriageEvents.ListAsync(api, org.App.WorkspacePath("/alerts?assignee=none" + Mfa))).Count);
    }

    [Fact]
    public async Task Viewers_ReadButCannotTriage_AndOtherWorkspacesSeeNothing()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        await TriageEvents.SendAsync(org, TriageEvents.MfaVerify("eve@acme.example", 0));
        var id = await TriageEvents.AlertOfAsync(org, "eve@acme.example");
        var suppression = await org.App.Api.PostAsJsonAsync(org.App.WorkspacePath("/suppressions"),
            new { user = "eve@acme.example", reason = "Travels a lot", expiresAt = DateTime.UtcNow.AddDays(3) });
        Assert.Equal(HttpStatusCode.Created, suppression.StatusCode);
        var suppressionId = (await suppression.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var (viewer, _) = await TestMembers.MemberAsync(org.App, "viewer@example.com", WorkspaceRole.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(org.App.WorkspacePath($"/alerts/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(org.App.WorkspacePath($"/alerts/{id}/history"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(org.App.WorkspacePath("/alerts/export.csv"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "Acknowledged" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/comments"), new { text = "hi" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync(org.App.WorkspacePath("/suppressions"),
            new { user = "x", reason = "r", expiresAt = DateTime.UtcNow.AddDays(1) })).StatusCode);

        var (analyst, _) = await TestMembers.MemberAsync(org.App, "analyst@example.com", WorkspaceRole.Analyst);
        var assignees = (await viewer.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/alerts/assignees"))).EnumerateArray().Select(a => a.GetProperty("name").GetString());
        Assert.Equal(["analyst@example.com", IdentiGuardApp.AdminEmail, "viewer@example.com"], assignees);
        Assert.Equal(HttpStatusCode.OK, (await analyst.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "Acknowledged" })).StatusCode);
        var history = (await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}/history"))).EnumerateArray().ToList();
        Assert.Equal("analyst@example.com", Assert.Single(history, h => h.GetProperty("action").GetString() == "status").GetProperty("actor").GetString());

        // A member of workspace B asks for workspace A's things by id, both under A's path and under their own.
        var (outsider, otherWorkspace) = await TestMembers.OutsiderAsync(org.App, "outsider@example.com");
        string[] underA =
        [
            $"/alerts/{id}", $"/alerts/{id}/history", $"/alerts/{id}/incident", $"/suppressions/{suppressionId}", "/alerts/export.csv", "/alerts/export.json",
            "/suppressions", "/entities/users/eve@acme.example",
        ];
        foreach (var path in underA) Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(org.App.WorkspacePath(path))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{id}/status"), new { status = "Resolved", reason = "x" })).StatusCode);
        var own = $"/api/workspaces/{otherWorkspace}";
        foreach (var path in new[] { $"/alerts/{id}", $"/alerts/{id}/history", $"/suppressions/{suppressionId}", $"/alerts/{id}/suppression-draft" })
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(own + path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsJsonAsync(own + $"/alerts/{id}/status", new { status = "Resolved", reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsync(own + $"/suppressions/{suppressionId}/expire", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsJsonAsync(own + "/alerts/bulk", new { alertIds = new[] { id }, status = "Acknowledged" })).StatusCode);
        var csv = (await outsider.GetStringAsync(own + "/alerts/export.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,tenant,", Assert.Single(csv));
        Assert.Equal("[]", await outsider.GetStringAsync(own + "/alerts/export.json"));
        Assert.Equal("[]", await outsider.GetStringAsync(own + "/suppressions"));

        // Nothing of A changed through B.
        var alert = (await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{id}"), IdentiGuardApp.Json)).GetProperty("alert");
        Assert.Equal("Acknowledged", alert.GetProperty("status").GetString());
    }

    [Fact]
    public async Task SavedViews_ArePerMember_AndReplaceByName()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var api = app.Api;
        var saved = await api.PostAsJsonAsync(app.WorkspacePath("/alerts/views"),
            new { name = "My open highs", filter = new { status = new[] { "New", "InProgress" }, minSeverity = "High", assignee = "me" } });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var again = await api.PostAsJsonAsync(app.WorkspacePath("/alerts/views"), new { name = "My open highs", filter = new { status = new[] { "New" }, search = "okta" } });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync(app.WorkspacePath("/alerts/views"), new { name = " ", filter = new { } })).StatusCode);

        var views = (await api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/alerts/views"))).EnumerateArray().ToList();
        var view = Assert.Single(views);
        Assert.Equal(["New"], view.GetProperty("filter").GetProperty("status").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("okta", view.GetProperty("filter").GetProperty("search").GetString());

        var (colleague, _) = await TestMembers.MemberAsync(app, "colleague@example.com", WorkspaceRole.Analyst);
        Assert.Empty((await colleague.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/alerts/views"))).EnumerateArray());
        var viewId = view.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await colleague.DeleteAsync(app.WorkspacePath($"/alerts/views/{viewId}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(app.WorkspacePath($"/alerts/views/{viewId}"))).StatusCode);
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/alerts/views"))).EnumerateArray());
    }
}
