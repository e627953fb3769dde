using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Workspaces;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Security;

/// <summary>Each role is allowed exactly the actions the policy table gives it, through the real API, and refused (403) the rest.</summary>
public sealed class RoleTests
{
    private sealed record Action(string Name, WorkspaceRole Least, Func<HttpClient, IdentiGuardApp, Task<HttpResponseMessage>> Send);

    private static readonly Action[] Actions =
    [
        new("list tenants", WorkspaceRole.Viewer, (c, a) => c.GetAsync(a.WorkspacePath("/tenants"))),
        new("list alerts", WorkspaceRole.Viewer, (c, a) => c.GetAsync(a.WorkspacePath("/alerts"))),
        new("list members", WorkspaceRole.Viewer, (c, a) => c.GetAsync(a.WorkspacePath("/members"))),
        new("read activity", WorkspaceRole.Viewer, (c, a) => c.GetAsync(a.WorkspacePath("/activity"))),
        new("validate a rule", WorkspaceRole.Viewer, (c, a) => c.PostAsJsonAsync(a.WorkspacePath("/rules/validate"), new { fileName = "x.yml", yaml = "title: x" })),
        new("ask support", WorkspaceRole.Viewer, (c, a) => c.PostAsJsonAsync(a.WorkspacePath("/support"),
            new { subject = "Help", description = "Hooks?", contactEmail = "soc@example.com", attachDiagnostics = false })),
        new("add a tenant", WorkspaceRole.Admin, (c, a) => c.PostAsJsonAsync(a.WorkspacePath("/tenants"), new { clientId = "" })),
        new("rotate a hook secret", WorkspaceRole.Admin, (c, a) => c.PostAsync(a.WorkspacePath($"/tenants/{Guid.NewGuid()}/hook-secret/rotate"), null)),
        new("rotate a client secret", WorkspaceRole.Admin, (c, a) => c.PostAsJsonAsync(a.WorkspacePath($"/tenants/{Guid.NewGuid()}/client-secret"), new { clientSecret = "x" })),
        new("change a rule", WorkspaceRole.Admin, (c, a) => c.PutAsJsonAsync(a.WorkspacePath("/rules/okta-admin-role-assigned/settings"), new { enabled = true })),
        new("change settings", WorkspaceRole.Admin, (c, a) => c.PutAsJsonAsync(a.WorkspacePath("/settings"), new { eventRetentionDays = 60 })),
        new("list invitations", WorkspaceRole.Admin, (c, a) => c.GetAsync(a.WorkspacePath("/invitations"))),
        new("invite a viewer", WorkspaceRole.Admin, (c, a) => c.PostAsJsonAsync(a.WorkspacePath("/invitations"), new { email = $"new-{Guid.NewGuid():N}@example.com", role = "Viewer" })),
        new("invite an owner", WorkspaceRole.Owner, (c, a) => c.PostAsJsonAsync(a.WorkspacePath("/invitations"), new { email = $"new-{Guid.NewGuid():N}@example.com", role = "Owner" })),
    ];

    [Fact]
    public async Task EachRole_IsAllowedItsActionsAndRefusedTheOthers_WithCookieAndWithToken()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var failures = new List<string>();
        foreach (var role in Enum.GetValues<WorkspaceRole>())
        {
            var member = await SecurityTestKit.MemberAsync(app, app.WorkspaceId, role);
            var token = await member.TokenClientAsync(app.WorkspaceId, role);
            foreach (var (client, how) in new[] { (member.Browser, "cookie"), (token, "token") })
            {
                foreach (var action in Actions)
                {
                    var response = await action.Send(client, app);
                    var allowed = role >= action.Least;
                    var ok = allowed
                        ? response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized) && (int)response.StatusCode < 500
                        : response.StatusCode == HttpStatusCode.Forbidden;
                    // "rotate" on a tenant that does not exist: allowed roles reach the handler and get its 404.
                    if (allowed && action.Name.StartsWith("rotate", StringComparison.Ordinal)) ok = response.StatusCode == HttpStatusCode.NotFound;
                    if (!ok) failures.Add($"{role} via {how}: {action.Name} → {(int)response.StatusCode} (expected {(allowed ? "allowed" : "403")})");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryStateChangingWorkspaceEndpoint_DeclaresItsPermission()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var undeclared = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/workspaces/{workspaceId", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Any(m => m != "GET" && m != "HEAD") == true)
            .Where(e => e.Metadata.GetMetadata<RequiresWorkspacePermission>() is null)
            .Select(e => e.DisplayName).ToList();
        // Undeclared writes would still need Admin (fail closed), but every write must say what it is in the policy table.
        Assert.True(undeclared.Count == 0, "Without a permission: " + string.Join(", ", undeclared));
    }

    [Fact]
    public void PolicyTable_GivesViewersReadAnalystsTriageAndResponseAdminsConfiguration()
    {
        Assert.Equal(Enum.GetValues<WorkspacePermission>().Length, WorkspacePolicy.MinimumRole.Count);
        Assert.True(WorkspacePolicy.Allows(WorkspaceRole.Viewer, WorkspacePermission.View));
        Assert.False(WorkspacePolicy.Allows(WorkspaceRole.Viewer, WorkspacePermission.TriageAlerts));
        Assert.True(WorkspacePolicy.Allows(WorkspaceRole.Analyst, WorkspacePermission.TriageAlerts));
        Assert.True(WorkspacePolicy.Allows(WorkspaceRole.Analyst, WorkspacePermission.RunResponseActions));
        foreach (var admin in new[] { WorkspacePermission.ManageTenants, WorkspacePermission.ManageRules, WorkspacePermission.ManageDestinations, WorkspacePermission.ManageSettings, WorkspacePermission.ManageMembers })
        {
            Assert.False(WorkspacePolicy.Allows(WorkspaceRole.Analyst, admin));
            Assert.True(WorkspacePolicy.Allows(WorkspaceRole.Admin, admin));
        }
    }

    [Fact]
    public async Task Admin_CannotPromoteToOwnerOrTouchAnOwner_AndTheLastOwnerStays()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var admin = await SecurityTestKit.MemberAsync(app, app.WorkspaceId, WorkspaceRole.Admin);
        var viewer = await SecurityTestKit.MemberAsync(app, app.WorkspaceId, WorkspaceRole.Viewer);
        var owner = (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/members"))).EnumerateArray()
            .Single(m => m.GetProperty("email").GetString() == IdentiGuardApp.AdminEmail).GetProperty("userId").GetGuid();

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Browser.PutAsJsonAsync(app.WorkspacePath($"/members/{viewer.UserId}/role"), new { role = "Owner" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Browser.PutAsJsonAsync(app.WorkspacePath($"/members/{owner}/role"), new { role = "Viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Browser.DeleteAsync(app.WorkspacePath($"/members/{owner}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Browser.PutAsJsonAsync(app.WorkspacePath($"/members/{viewer.UserId}/role"), new { role = "Analyst" })).StatusCode);
        // The only owner can neither demote nor remove themselves.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Api.PutAsJsonAsync(app.WorkspacePath($"/members/{owner}/role"), new { role = "Admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Api.DeleteAsync(app.WorkspacePath($"/members/{owner}"))).StatusCode);

        var activity = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/activity?search=member.role.changed"));
        var entry = activity.EnumerateArray().First();
        Assert.Contains("\"Viewer\"", entry.GetProperty("before").GetString());
        Assert.Contains("\"Analyst\"", entry.GetProperty("after").GetString());
        Assert.Equal(admin.Email, entry.GetProperty("actor").GetString());
        Assert.False(string.IsNullOrEmpty(entry.GetProperty("actorIp").GetString()));
    }

    [Fact]
    public async Task OnlyInstanceOwners_CreateWorkspaces()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var admin = await SecurityTestKit.MemberAsync(app, app.WorkspaceId, WorkspaceRole.Owner);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Browser.PostAsJsonAsync("/api/workspaces", new { name = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await app.Api.PostAsJsonAsync("/api/workspaces", new { name = "Customer 2" })).StatusCode);
    }
}
