using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Detection;

/// <summary>The Rules API: the catalogue, per-workspace settings and custom Sigma rules, driven over HTTP with Okta's real hook path.</summary>
public sealed class RuleSettingsTests
{
    private const string AdminRule = "okta-admin-role-assigned";

    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-30);

    private static JsonObject SuperAdminGrant(string target, int minute) => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.account.privilege.grant",
        DisplayMessage = "Grant user privilege",
        Actor = LogEventFactory.UserActor("00u1adm", "it.admin@acme.example", "IT Admin"),
        Targets = [LogEventFactory.Target($"00u-{target}", "User", $"{target}@acme.example", target)],
        DebugData = new JsonObject { ["privilegeGranted"] = "Super administrator" },
        Published = Start.AddMinutes(minute),
        Uuid = $"grant-{target}-{minute}",
    });

    private static JsonObject AccountLock(string user) => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.account.lock",
        DisplayMessage = "Max sign in attempts exceeded",
        Actor = LogEventFactory.UserActor($"00u-{user}", $"{user}@acme.example", user),
        OutcomeResult = "FAILURE",
        OutcomeReason = "LOCKED_OUT",
        Published = Start.AddMinutes(10),
        Uuid = $"lock-{user}",
    });

    private const string LockRule = """
        title: Custom account lock watch
        id: custom-account-lock-watch
        status: experimental
        description: Any account lock-out, raised by a workspace rule.
        references:
          - https://developer.okta.com/docs/reference/api/event-types/
        tags: [attack.credential_access, attack.t1110]
        logsource: {product: okta, service: okta}
        detection:
          selection:
            eventType: user.account.lock
          condition: selection
        falsepositives:
          - Users who forgot their password
        level: high
        """;

    private static async Task SendAsync(TestOrg org, params JsonObject[] events)
    {
        foreach (var e in events) await org.Okta.EmitAsync(e);
        await org.Okta.WhenDeliveriesIdleAsync();
    }

    private static async Task<List<JsonElement>> AlertsAsync(TestOrg org, string kind)
        => (await org.AlertsAsync($"?kind={kind}&take=200")).GetProperty("items").EnumerateArray().ToList();

    /// <summary>Waits until <paramref name="count"/> events of the type are counted in monitored-event alerts: their batch is processed
    /// (monitored alerts and detections are saved in the same transaction).</summary>
    private static async Task WaitProcessedAsync(TestOrg org, string eventType, int count)
    {
        var monitored = await TestOrg.EventuallyAsync(() => AlertsAsync(org, "MonitoredEvent"),
            a => a.Where(x => x.GetProperty("eventType").GetString() == eventType).Sum(x => x.GetProperty("count").GetInt32()) >= count);
        Assert.True(monitored.Where(x => x.GetProperty("eventType").GetString() == eventType).Sum(x => x.GetProperty("count").GetInt32()) >= count,
            $"{count} {eventType} events were not processed");
    }

    private static Task<HttpResponseMessage> PutSettingsAsync(HttpClient client, IdentiGuardApp app, string ruleId, object body)
        => client.PutAsJsonAsync(app.WorkspacePath($"/rules/{ruleId}/settings"), body);

    [Fact]
    public async Task RulesList_HasAtLeastSixtyAlertingRulesWithReferencesAndStatus()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var rules = (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules"))).EnumerateArray().ToList();

        Assert.True(rules.Count >= 60, $"only {rules.Count} rules");
        Assert.True(rules.Count(r => r.GetProperty("references").GetArrayLength() > 0) >= 60);
        Assert.All(rules, r => Assert.Equal("BuiltIn", r.GetProperty("source").GetString()));
        var admin = Assert.Single(rules, r => r.GetProperty("id").GetString() == AdminRule);
        Assert.True(admin.GetProperty("enabled").GetBoolean());
        Assert.Equal("Enabled", admin.GetProperty("status").GetString());
        Assert.Contains("persistence", admin.GetProperty("tactics").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0, admin.GetProperty("hitsTotal").GetInt32());
        // A rule with a required parameter and no value needs configuration.
        var pushMarker = Assert.Single(rules, r => r.GetProperty("id").GetString() == "okta-login-without-push-marker");
        Assert.True(pushMarker.GetProperty("needsConfiguration").GetBoolean());
        Assert.Equal("NeedsConfiguration", pushMarker.GetProperty("status").GetString());
        // A correlation shows the parameters of the building block it counts.
        var countries = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/okta-sessions-multiple-countries"));
        Assert.Contains("vpn_cidrs", countries.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.GetAsync(app.WorkspacePath("/rules/no-such-rule"))).StatusCode);

        var openApi = await app.Api.GetStringAsync("/api/openapi/v1.json");
        foreach (var path in new[] { "/rules", "/rules/{ruleId}", "/rules/{ruleId}/settings", "/rules/custom", "/rules/custom/{fileName}", "/rules/validate" })
            Assert.Contains($"\"/api/workspaces/{{workspaceId}}{path}\"", openApi);
    }

    [Fact]
    public async Task DisablingAdminRoleRule_SilencesIt_AndReEnablingRaisesAgain()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var app = org.App;

        var off = await PutSettingsAsync(app.Api, app, AdminRule, new { enabled = false });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        var offBody = await off.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(offBody.GetProperty("enabled").GetBoolean());
        Assert.Equal("Disabled", offBody.GetProperty("status").GetString());

        await SendAsync(org, SuperAdminGrant("bob", 1));
        await WaitProcessedAsync(org, "user.account.privilege.grant", 1);
        await Task.Delay(500);
        Assert.DoesNotContain(await AlertsAsync(org, "Detection"), a => a.GetProperty("ruleId").GetString() == AdminRule);

        Assert.Equal(HttpStatusCode.OK, (await PutSettingsAsync(app.Api, app, AdminRule, new { enabled = true })).StatusCode);
        await SendAsync(org, SuperAdminGrant("carol", 2));
        var detections = await TestOrg.EventuallyAsync(() => AlertsAsync(org, "Detection"), d => d.Any(a => a.GetProperty("ruleId").GetString() == AdminRule));
        var alert = Assert.Single(detections, a => a.GetProperty("ruleId").GetString() == AdminRule);
        Assert.Contains("carol", alert.GetProperty("actor").GetString());

        var rule = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath($"/rules/{AdminRule}"));
        Assert.Equal(1, rule.GetProperty("hitsTotal").GetInt32());
        Assert.Equal(1, rule.GetProperty("hitsLast7Days").GetInt32());

        // Both changes are in the activity log with the actor and the before → after.
        var activity = (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/activity?search=rule.updated"))).EnumerateArray().ToList();
        Assert.Equal(2, activity.Count(a => a.GetProperty("action").GetString() == "rule.updated"));
        Assert.Contains(activity, a => a.GetProperty("message").GetString()!.Contains("enabled → disabled") && a.GetProperty("actor").GetString() == IdentiGuardApp.AdminEmail);
    }

    [Fact]
    public async Task Settings_RefuseUndeclaredAndInvalidParameters_AndStoreValidOnes()
    {
        await using var app = await IdentiGuardApp.StartAsync();

        var unknown = await PutSettingsAsync(app.Api, app, "okta-proxy-sign-in", new { parameters = new Dictionary<string, string> { ["nope"] = "x" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("allowed_cidrs", await unknown.Content.ReadAsStringAsync());

        var badCidr = await PutSettingsAsync(app.Api, app, "okta-proxy-sign-in", new { parameters = new Dictionary<string, string> { ["allowed_cidrs"] = "10.0.0.0/8, not-a-cidr" } });
        Assert.Equal(HttpStatusCode.BadRequest, badCidr.StatusCode);
        Assert.Contains("not-a-cidr", await badCidr.Content.ReadAsStringAsync());

        var ok = await PutSettingsAsync(app.Api, app, "okta-proxy-sign-in", new { parameters = new Dictionary<string, string> { ["allowed_cidrs"] = "10.0.0.0/8, 192.168.0.0/16" } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var parameter = Assert.Single((await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameters").EnumerateArray());
        Assert.Equal("10.0.0.0/8, 192.168.0.0/16", parameter.GetProperty("value").GetString());

        // Setting the required parameter makes a rule that needed configuration runnable once enabled.
        var marker = await PutSettingsAsync(app.Api, app, "okta-login-without-push-marker", new { enabled = true, parameters = new Dictionary<string, string> { ["push_marker"] = "corp-push" } });
        Assert.Equal(HttpStatusCode.OK, marker.StatusCode);
        Assert.Equal("Enabled", (await marker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task InvalidCustomRules_AreRefusedWithFileAndLine_AndNotSaved()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        const string bad = """
            title: Broken rule
            id: custom-broken
            level: high
            detection:
              selection:
                eventType|base64: user.account.lock
              condition: selection and not missing_filter
            """;

        var validate = await app.Api.PostAsJsonAsync(app.WorkspacePath("/rules/validate"), new { fileName = "broken.yml", yaml = bad });
        Assert.Equal(HttpStatusCode.OK, validate.StatusCode);
        var result = await validate.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(result.GetProperty("isValid").GetBoolean());
        var error = result.GetProperty("errors")[0];
        Assert.Equal("broken.yml", error.GetProperty("file").GetString());
        Assert.True(error.GetProperty("line").GetInt32() > 1);

        var save = await app.Api.PutAsJsonAsync(app.WorkspacePath("/rules/custom/broken.yml"), new { yaml = bad });
        Assert.Equal(HttpStatusCode.BadRequest, save.StatusCode);
        var problem = await save.Content.ReadFromJsonAsync<JsonElement>();
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("yaml").EnumerateArray()).GetString()!;
        Assert.Matches(@"^broken\.yml:\d+: ", message);
        Assert.Equal($"broken.yml:{error.GetProperty("line").GetInt32()}: {error.GetProperty("reason").GetString()}", message);

        // Two custom files may not define the same rule id.
        Assert.Equal(HttpStatusCode.Created, (await app.Api.PutAsJsonAsync(app.WorkspacePath("/rules/custom/lock.yml"), new { yaml = LockRule })).StatusCode);
        var clash = await app.Api.PutAsJsonAsync(app.WorkspacePath("/rules/custom/clash.yml"), new { yaml = LockRule });
        Assert.Equal(HttpStatusCode.BadRequest, clash.StatusCode);
        Assert.Matches(@"clash\.yml:\d+: duplicate rule id 'custom-account-lock-watch'", await clash.Content.ReadAsStringAsync());

        // A correlation must refer to rules that exist.
        const string badReference = """
            title: Counts nothing
            id: custom-bad-reference
            level: low
            correlation:
              type: event_count
              rules: [no_such_rule]
              group-by: [actor.alternateId]
              timespan: 10m
              condition: {gte: 2}
            """;
        var reference = await app.Api.PutAsJsonAsync(app.WorkspacePath("/rules/custom/reference.yml"), new { yaml = badReference });
        Assert.Equal(HttpStatusCode.BadRequest, reference.StatusCode);
        Assert.Matches(@"reference\.yml:\d+: correlation refers to unknown rule 'no_such_rule'", await reference.Content.ReadAsStringAsync());

        Assert.Equal(["lock.yml"], (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/custom"))).EnumerateArray().Select(r => r.GetProperty("fileName").GetString()));
    }

    [Fact]
    public async Task ValidCustomRule_FiresOnADeliveredEvent_AndCanBeDeleted()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var app = org.App;

        var validate = await (await app.Api.PostAsJsonAsync(app.WorkspacePath("/rules/validate"), new { fileName = "lock.yml", yaml = LockRule })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(validate.GetProperty("isValid").GetBoolean(), validate.ToString());

        var save = await app.Api.PutAsJsonAsync(app.WorkspacePath("/rules/custom/lock.yml"), new { yaml = LockRule });
        Assert.Equal(HttpStatusCode.Created, save.StatusCode);
        var custom = Assert.Single((await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/custom"))).EnumerateArray());
        Assert.Equal("lock.yml", custom.GetProperty("fileName").GetString());
        var listed = Assert.Single((await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules"))).EnumerateArray(),
            r => r.GetProperty("id").GetString() == "custom-account-lock-watch");
        Assert.Equal("Custom", listed.GetProperty("source").GetString());
        Assert.Equal("High", listed.GetProperty("severity").GetString());

        await SendAsync(org, AccountLock("dana"));
        var detections = await TestOrg.EventuallyAsync(() => AlertsAsync(org, "Detection"), d => d.Any(a => a.GetProperty("ruleId").GetString() == "custom-account-lock-watch"));
        var alert = Assert.Single(detections, a => a.GetProperty("ruleId").GetString() == "custom-account-lock-watch");
        Assert.Equal("Custom account lock watch", alert.GetProperty("title").GetString());

        // Replacing keeps one file; deleting removes the rule from the workspace.
        Assert.Equal(HttpStatusCode.OK, (await app.Api.PutAsJsonAsync(app.WorkspacePath("/rules/custom/lock.yml"), new { yaml = LockRule.Replace("level: high", "level: low") })).StatusCode);
        Assert.Equal("Low", (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/custom-account-lock-watch"))).GetProperty("severity").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await app.Api.DeleteAsync(app.WorkspacePath("/rules/custom/lock.yml"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.GetAsync(app.WorkspacePath("/rules/custom-account-lock-watch"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.DeleteAsync(app.WorkspacePath("/rules/custom/lock.yml"))).StatusCode);
    }

    [Theory]
    [InlineData(WorkspaceRole.Viewer)]
    [InlineData(WorkspaceRole.Analyst)]
    public async Task NonAdminMember_CanReadAndValidate_ButCannotChangeRules(WorkspaceRole role)
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var email = $"member-{Guid.NewGuid():N}@example.com";
        const string password = "member password 123";
        await TestUsers.CreateAsync(app, email, password, workspaceName: "Member's own");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            var user = await db.Users.SingleAsync(u => u.Email == email);
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = app.WorkspaceId, UserId = user.Id, Role = role, AddedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        using var member = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        Assert.Equal("/", (await IdentiGuardApp.SignInAsync(member, email, password)).Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync(app.WorkspacePath("/rules"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsJsonAsync(app.WorkspacePath("/rules/validate"), new { yaml = LockRule })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutSettingsAsync(member, app, AdminRule, new { enabled = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PutAsJsonAsync(app.WorkspacePath("/rules/custom/lock.yml"), new { yaml = LockRule })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.DeleteAsync(app.WorkspacePath("/rules/custom/lock.yml"))).StatusCode);

        var rule = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath($"/rules/{AdminRule}"));
        Assert.True(rule.GetProperty("enabled").GetBoolean());
        Assert.Empty((await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/rules/custom"))).EnumerateArray());
    }
}
