using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Tenants;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IdentiGuard.Tests.Security;

/// <summary>
/// Workspace isolation, proved from outside over HTTP: every API endpoint and every page route the app has (read from
/// its EndpointDataSource, not from a list here) is called by the owner of workspace B with workspace A's real ids,
/// and must answer 404: not 403 (which would confirm the id), not 200, not 500. Twice: with A's workspace id (the
/// membership gate) and with B's own workspace id plus A's object ids (the global query filter). A route parameter
/// this test cannot fill, or an endpoint outside the workspace group it does not know, fails the test, so a new
/// endpoint cannot ship untested.
/// </summary>
public sealed class IsolationTests(ITestOutputHelper output)
{
    /// <summary>Endpoints outside <c>/api/workspaces/{workspaceId}</c> and how each is kept to its caller.</summary>
    private static readonly Dictionary<string, string> NonWorkspaceApi = new()
    {
        ["GET /api/me/"] = "the caller's own identity",
        ["GET /api/me/tokens/"] = "the caller's own tokens",
        ["POST /api/me/tokens/"] = "creates a token for a workspace the caller belongs to (checked)",
        ["DELETE /api/me/tokens/{tokenId:guid}"] = "404 for another user's token (asserted below)",
        ["GET /api/workspaces/"] = "only the caller's memberships (asserted below)",
        ["POST /api/workspaces/"] = "instance owners only; creates a new workspace",
        ["GET /api/event-types"] = "Okta's public event type catalogue",
        ["GET /api/support"] = "instance owners only: 404 for anyone else (asserted below)",
        ["GET /api/openapi/{documentName}.json"] = "the API description",
    };

    private sealed record WorkspaceA(Guid WorkspaceId, Guid TenantId, Guid AlertId, long EventId, string CustomRuleId, string CustomRuleFile,
        Guid SupportRequestId, Guid InvitationId, Guid OwnerUserId, Guid OwnerTokenId, Guid SuppressionId, Guid DestinationId, Guid ResponseActionId,
        Guid ViewId, string UserKey, string Ip);

    [Fact]
    public async Task MemberOfWorkspaceB_Gets404ForEveryEndpointAndPage_FilledWithWorkspaceAsIds()
    {
        await using var org = await TestOrg.StartAsync();
        var app = org.App;
        var a = await SeedWorkspaceAAsync(org);
        // The gate resolves the entity and incident pages for a member of A (fails closed for an unknown parameter or id).
        var memberOfA = await SecurityTestKit.MemberAsync(app, a.WorkspaceId, WorkspaceRole.Viewer);
        foreach (var page in new[] { $"users/{Uri.EscapeDataString(a.UserKey)}", $"ips/{a.Ip}", $"alerts/{a.AlertId}/incident" })
            Assert.Equal(HttpStatusCode.OK, (await memberOfA.Browser.GetAsync($"/w/{a.WorkspaceId}/{page}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await memberOfA.Browser.GetAsync($"/w/{a.WorkspaceId}/users/nobody%40acme.com")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await memberOfA.Browser.GetAsync($"/w/{a.WorkspaceId}/ips/198.51.100.1")).StatusCode);

        var (b, workspaceB) = await SecurityTestKit.OwnerOfOwnWorkspaceAsync(app);
        var bToken = await b.TokenClientAsync(workspaceB, WorkspaceRole.Owner);

        // Deletes last: were isolation broken, an earlier delete would hide what later calls could reach.
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .OrderBy(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("DELETE") == true).ToList();
        var failures = new List<string>();
        var calls = 0;

        async Task ExpectNotFound(HttpClient client, string who, string method, string path)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            calls++;
            if (response.StatusCode != HttpStatusCode.NotFound)
                failures.Add($"{who}: {method} {path} → {(int)response.StatusCode} {Excerpt(await response.Content.ReadAsStringAsync())}");
        }

        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var parameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList();

            if (endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            {
                if (!parameters.Contains("WorkspaceId"))
                {
                    if (parameters.Count > 0) failures.Add($"Page {pattern} has route parameters but no workspace: add it to this test.");
                    continue;
                }
                foreach (var variant in Variants(a, workspaceB, parameters, "WorkspaceId"))
                {
                    var path = FillPage(endpoint.RoutePattern, a, variant, failures);
                    if (path is not null) await ExpectNotFound(b.Browser, "B (cookie, page)", "GET", path);
                }
                continue;
            }

            if (pattern.StartsWith("/hooks/okta", StringComparison.Ordinal)) continue; // authenticated by tenant secret: HookIsolation test
            if (pattern.StartsWith("/api/workspaces/{workspaceId", StringComparison.Ordinal))
            {
                foreach (var method in methods)
                foreach (var variant in Variants(a, workspaceB, parameters, "workspaceId"))
                {
                    // Upserting a custom rule by file name in B's own workspace writes B's rule, never A's (checked at the end).
                    if (variant == workspaceB && method == "PUT" && parameters.Contains("fileName")) continue;
                    var path = FillApi(pattern, a, variant, failures);
                    if (path is null) continue;
                    await ExpectNotFound(b.Browser, "B (cookie)", method, path);
                    await ExpectNotFound(bToken, "B (API token)", method, path);
                }
                continue;
            }

            if (pattern.StartsWith("/api", StringComparison.Ordinal))
            {
                foreach (var method in methods)
                    if (!NonWorkspaceApi.ContainsKey($"{method} {pattern}"))
                        failures.Add($"{method} {pattern} is an API endpoint outside the workspace group that this test does not know: classify it in {nameof(NonWorkspaceApi)}.");
                continue;
            }
            // Everything else (static assets, the Blazor hub, form posts, health) names no workspace data.
            if (pattern == "{**path:file}") continue; // static files from wwwroot
            if (parameters.Count > 0 && !pattern.StartsWith("/_", StringComparison.Ordinal))
                failures.Add($"{pattern} has route parameters ({string.Join(", ", parameters)}) this test does not cover.");
        }

        // The endpoints outside the workspace group that could name or list A's data.
        await ExpectNotFound(b.Browser, "B (cookie)", "DELETE", $"/api/me/tokens/{a.OwnerTokenId}");
        await ExpectNotFound(b.Browser, "B (cookie)", "GET", "/api/support");
        var listed = await b.Browser.GetStringAsync("/api/workspaces");
        if (listed.Contains(a.WorkspaceId.ToString())) failures.Add("GET /api/workspaces lists workspace A to B.");
        var rule = await app.Api.GetAsync(app.WorkspacePath($"/rules/{a.CustomRuleId}"));
        if (rule.StatusCode != HttpStatusCode.OK) failures.Add($"A's custom rule was changed or removed by B's calls ({(int)rule.StatusCode}).");
        var tenant = await app.Api.GetAsync(app.WorkspacePath($"/tenants/{a.TenantId}"));
        if (tenant.StatusCode != HttpStatusCode.OK) failures.Add($"A's tenant was removed by B's calls ({(int)tenant.StatusCode}).");

        output.WriteLine($"{calls} calls over {endpoints.Count} endpoints; {failures.Count} failures.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls did not answer 404:\n" + string.Join("\n", failures));
        Assert.True(calls > 60, $"only {calls} calls: the endpoint enumeration is broken");
    }

    [Fact]
    public async Task HookEndpoint_WithAnotherTenantsSecretOrAWrongOne_Is401AndStoresNothing()
    {
        await using var org = await TestOrg.StartAsync();
        var app = org.App;
        var tenantA = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var secretA = org.Okta.Hooks.Single().AuthSchemeValue!;
        var (_, workspaceB) = await SecurityTestKit.OwnerOfOwnWorkspaceAsync(app);
        // Workspace B's tenant, with a secret of its own (stored encrypted like any tenant's).
        var tenantB = Guid.NewGuid();
        var secretB = TenantSecrets.NewHookSecret();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var secrets = scope.ServiceProvider.GetRequiredService<TenantSecrets>();
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            db.Tenants.Add(new Tenant
            {
                Id = tenantB, WorkspaceId = workspaceB, Name = "B", DomainUrl = "https://b.okta.com", ClientId = "0oab", ClientSecretProtected = secrets.Protect("x"),
                HookSecretProtected = secrets.Protect(secretB), Status = TenantStatus.Connected, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var before = await CountAsync(app);
        using var anonymous = app.Anonymous();
        foreach (var (tenant, secret) in new[] { (tenantA, secretB), (tenantB, secretA), (tenantA, secretA + "x"), (tenantA, ""), (tenantB, secretA.ToUpperInvariant()) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/okta/{tenant}") { Content = new StringContent(Envelope("iso-" + Guid.NewGuid()), Encoding.UTF8, "application/json") };
            if (secret.Length > 0) request.Headers.TryAddWithoutValidation("Authorization", secret);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request)).StatusCode);
        }
        Assert.Equal(before, await CountAsync(app));
    }

    private static async Task<(int Events, int Alerts)> CountAsync(IdentiGuardApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        return (await db.Events.IgnoreQueryFilters().CountAsync(e => e.Source == EventSource.Hook), await db.Alerts.IgnoreQueryFilters().CountAsync());
    }

    /// <summary>A's workspace id (the gate), and B's own id with A's object ids (the filter) when there are object ids to fill.</summary>
    private static IEnumerable<Guid> Variants(WorkspaceA a, Guid workspaceB, List<string> parameters, string workspaceParameter)
    {
        yield return a.WorkspaceId;
        if (parameters.Any(p => p != workspaceParameter)) yield return workspaceB;
    }

    private static string? FillApi(string pattern, WorkspaceA a, Guid workspaceId, List<string> failures)
        => Regex.Replace(pattern, @"\{(\w+)(:[^}]*)?\}", m => m.Groups[1].Value switch
        {
            "workspaceId" => workspaceId.ToString(),
            "tenantId" => a.TenantId.ToString(),
            "alertId" => a.AlertId.ToString(),
            "id" when pattern.Contains("/events/") => a.EventId.ToString(),
            "id" when pattern.Contains("/suppressions/") => a.SuppressionId.ToString(),
            "destinationId" => a.DestinationId.ToString(),
            "actionId" => a.ResponseActionId.ToString(),
            "viewId" => a.ViewId.ToString(),
            "key" => Uri.EscapeDataString(a.UserKey),
            "ip" => a.Ip,
            "ruleId" => a.CustomRuleId,
            "fileName" => a.CustomRuleFile,
            "userId" => a.OwnerUserId.ToString(),
            "invitationId" => a.InvitationId.ToString(),
            "supportRequestId" or "ticketId" => a.SupportRequestId.ToString(),
            var unknown => Unknown(failures, pattern, unknown),
        }) is var path && path.Contains("{?}") ? null : path;

    private static string? FillPage(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern, WorkspaceA a, Guid workspaceId, List<string> failures)
    {
        var raw = pattern.RawText!;
        var path = Regex.Replace(raw, @"(\w+)?/\{(\w+)(:[^}]*)?\}", m => "/" + (m.Groups[1].Success ? m.Groups[1].Value + "/" : "") + (($"{m.Groups[1].Value}/{m.Groups[2].Value}") switch
        {
            var k when k.EndsWith("/WorkspaceId", StringComparison.Ordinal) => workspaceId.ToString(),
            "tenants/TenantId" => a.TenantId.ToString(),
            "alerts/AlertId" => a.AlertId.ToString(),
            "events/Id" => a.EventId.ToString(),
            "rules/RuleId" => a.CustomRuleId,
            "users/Key" => Uri.EscapeDataString(a.UserKey),
            "ips/Ip" => a.Ip,
            var unknown => Unknown(failures, raw, unknown),
        }));
        return path.Contains("{?}") ? null : path.Replace("//", "/");
    }

    private static string Unknown(List<string> failures, string pattern, string parameter)
    {
        failures.Add($"{pattern}: the route parameter {parameter} is unknown to the isolation test; fill it with a real id of workspace A.");
        return "{?}";
    }

    private static async Task<WorkspaceA> SeedWorkspaceAAsync(TestOrg org)
    {
        var app = org.App;
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var secret = org.Okta.Hooks.Single().AuthSchemeValue!;
        using (var hook = app.Anonymous())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/okta/{tenantId}") { Content = new StringContent(Envelope("iso-grant-1"), Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", secret);
            Assert.Equal(HttpStatusCode.OK, (await hook.SendAsync(request)).StatusCode);
        }
        var alerts = await TestOrg.EventuallyAsync(() => org.AlertsAsync(), x => x.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(60));
        var alertId = alerts.GetProperty("items")[0].GetProperty("id").GetGuid();
        var events = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/events"));
        var eventId = events.GetProperty("items")[0].GetProperty("id").GetInt64();

        const string ruleId = "isolation-custom-rule";
        var rule = await app.Api.PutAsJsonAsync(app.WorkspacePath("/rules/custom/isolation.yml"), new
        {
            yaml = $"title: Isolation custom rule\nid: {ruleId}\nstatus: experimental\ndescription: Workspace A only.\nlogsource: {{product: okta, service: okta}}\n" +
                   "detection:\n  selection:\n    eventType: user.account.lock\n  condition: selection\nlevel: low\n",
        });
        Assert.True(rule.IsSuccessStatusCode, await rule.Content.ReadAsStringAsync());
        var support = await app.Api.PostAsJsonAsync(app.WorkspacePath("/support"), new { subject = "A's ticket", description = "Private to A", contactEmail = "a@example.com", attachDiagnostics = false });
        var supportId = (await support.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var invitation = await app.Api.PostAsJsonAsync(app.WorkspacePath("/invitations"), new { email = "a-invitee@example.com", role = "Viewer" });
        var invitationId = (await invitation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("invitation").GetProperty("id").GetGuid();
        var owner = (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/members")))[0].GetProperty("userId").GetGuid();
        var tokenId = (await app.Api.GetFromJsonAsync<JsonElement>("/api/me/tokens"))[0].GetProperty("id").GetGuid();
        var suppression = await app.Api.PostAsJsonAsync(app.WorkspacePath("/suppressions"), new { ruleId, user = "bob@acme.com", reason = "A's own exception", expiresAt = DateTime.UtcNow.AddDays(1) });
        Assert.Equal(HttpStatusCode.Created, suppression.StatusCode);
        var suppressionId = (await suppression.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var destination = await app.Api.PostAsJsonAsync(app.WorkspacePath("/notifications/destinations"), new { name = "A's hook", kind = "Webhook", url = "https://hooks.example.com/a" });
        Assert.Equal(HttpStatusCode.Created, destination.StatusCode);
        var destinationId = (await destination.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("destination").GetProperty("id").GetGuid();
        var suspended = org.Okta.AddUser("iso.user@acme.com", "Iso", "User");
        var response = await app.Api.PostAsJsonAsync(app.WorkspacePath("/responses"), new { tenantId, user = suspended.Id, action = "Suspend" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var responseActionId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var view = await app.Api.PostAsJsonAsync(app.WorkspacePath("/alerts/views"), new { name = "A's view", filter = new { search = "okta" } });
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        var viewId = (await view.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        // The hook event's actor and client address: the user and IP entity pages of workspace A.
        return new WorkspaceA(app.WorkspaceId, tenantId, alertId, eventId, ruleId, "isolation.yml", supportId, invitationId, owner, tokenId,
            suppressionId, destinationId, responseActionId, viewId, "admin@acme.com", "203.0.113.7");
    }

    private static string Envelope(string uuid) => JsonSerializer.Serialize(new
    {
        eventType = "com.okta.event_hook", eventTypeVersion = "1.0", cloudEventsVersion = "0.1", source = "https://acme.okta.com/api/v1/eventHooks/who1",
        eventId = Guid.NewGuid().ToString(), eventTime = "2026-11-29T10:00:00.000Z", contentType = "application/json",
        data = new
        {
            events = new[]
            {
                new
                {
                    uuid, published = DateTime.UtcNow.ToString("O"), eventType = "user.account.privilege.grant", version = "0", severity = "INFO",
                    displayMessage = "Grant user privilege", actor = new { id = "00u1", type = "User", alternateId = "admin@acme.com", displayName = "Admin" },
                    outcome = new { result = "SUCCESS" }, client = new { ipAddress = "203.0.113.7" },
                    target = new[] { new { id = "00u2", type = "User", alternateId = "bob@acme.com" } },
                },
            },
        },
    });

    private static string Excerpt(string body) => body.Length > 160 ? body[..160] + "…" : body;
}
