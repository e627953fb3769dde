using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Server.Notifications;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Notifications;

/// <summary>Alerts raised through Okta's hook path reach local Slack, webhook, OCSF and PagerDuty receivers.</summary>
public sealed class NotificationTests
{
    private const string SigningSecret = "receiver-shared-secret-0123456789";

    internal static Dictionary<string, string?> Settings(HttpReceiver receiver) => new()
    {
        ["IdentiGuard:Notifications:AllowInsecureLoopback"] = "true",
        ["IdentiGuard:Notifications:PollInterval"] = "00:00:00.200",
        ["IdentiGuard:Notifications:RetryBaseDelay"] = "00:00:00.200",
        ["IdentiGuard:Notifications:RetryMaxDelay"] = "00:00:01",
        ["IdentiGuard:Notifications:MaxAttempts"] = "3",
        ["IdentiGuard:Notifications:PagerDutyEventsUrl"] = receiver.BaseUrl + "/pagerduty/v2/enqueue",
    };

    /// <summary>
    /// An admin suspends a user: a monitored event, so it raises an alert whose actor is the admin. Published now: an
    /// event published before the tenant was connected lies in the history window, and when the history import stores
    /// it before the hook delivery does (under load it can), its alert is historical and notifies no one.
    /// </summary>
    internal static JsonObject AdminSuspends(string uuid, string admin = "it.admin@acme.example") => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.lifecycle.suspend",
        DisplayMessage = "Suspend Okta user",
        Actor = LogEventFactory.UserActor("00u1adm" + uuid.Length, admin, "IT Admin"),
        Targets = [LogEventFactory.Target("00u2bob", "User", "bob@acme.example", "Bob")],
        Uuid = uuid,
    });

    internal static async Task<Guid> CreateDestinationAsync(TestOrg org, object input)
    {
        var response = await org.App.Api.PostAsJsonAsync(org.App.WorkspacePath("/notifications/destinations"), input);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("destination").GetProperty("id").GetGuid();
    }

    internal static async Task<List<JsonElement>> DeliveriesAsync(TestOrg org, Guid destinationId)
        => (await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/notifications/destinations/{destinationId}/deliveries"))).EnumerateArray().ToList();

    [Fact]
    public async Task AnAlert_ReachesSlackWebhookOcsfAndPagerDuty_SignedAndLinked_OnceEach_AndUnroutedDestinationsGetNothing()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var org = await TestOrg.StartAsync(Settings(receiver));
        await org.ConnectedTenantAsync();
        var slack = await CreateDestinationAsync(org, new { name = "SOC Slack", kind = "Slack", url = receiver.BaseUrl + "/slack/T000/B000/XXXX", minSeverity = "Informational" });
        await CreateDestinationAsync(org, new { name = "SIEM webhook", kind = "Webhook", url = receiver.BaseUrl + "/hook?token=abc", signingSecret = SigningSecret, minSeverity = "Informational" });
        await CreateDestinationAsync(org, new { name = "SIEM OCSF", kind = "Webhook", format = "OcsfDetectionFinding", url = receiver.BaseUrl + "/ocsf", signingSecret = SigningSecret, minSeverity = "Informational" });
        await CreateDestinationAsync(org, new { name = "On-call", kind = "PagerDuty", routingKey = "R0UT1NGKEY0123456789abcdefABCDEF", minSeverity = "Informational" });
        await CreateDestinationAsync(org, new { name = "Teams, other rule only", kind = "Teams", url = receiver.BaseUrl + "/teams", minSeverity = "Informational", ruleIds = new[] { "okta-admin-role-assigned" } });
        await CreateDestinationAsync(org, new { name = "Critical only", kind = "Slack", url = receiver.BaseUrl + "/critical", minSeverity = "Critical" });

        await org.Okta.EmitAsync(AdminSuspends("notify-1"));
        await org.Okta.WhenDeliveriesIdleAsync();
        var alerts = await TestOrg.EventuallyAsync(() => org.AlertsAsync(), a => a.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(30));
        var alertId = alerts.GetProperty("items")[0].GetProperty("id").GetGuid();
        var link = $"{org.App.BaseUrl}/w/{org.App.WorkspaceId}/alerts/{alertId}";
        string[] paths = ["/slack/T000/B000/XXXX", "/hook", "/ocsf", "/pagerduty/v2/enqueue"];
        await TestOrg.EventuallyAsync(() => Task.FromResult(paths.All(p => receiver.At(p).Count > 0)), done => done, TimeSpan.FromSeconds(60));

        var slackPost = Assert.Single(receiver.At("/slack/T000/B000/XXXX"));
        Assert.Contains(link, slackPost.Json["text"]!.GetValue<string>());
        Assert.Contains(link, slackPost.Body);
        Assert.Equal("header", slackPost.Json["blocks"]![0]!["type"]!.GetValue<string>());

        var hook = Assert.Single(receiver.At("/hook"));
        Assert.True(WebhookSignature.Verify(SigningSecret, hook.Header("X-IdentiGuard-Timestamp"), hook.Header("X-IdentiGuard-Signature"), hook.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("another-secret-0123456789", hook.Header("X-IdentiGuard-Timestamp"), hook.Header("X-IdentiGuard-Signature"), hook.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(SigningSecret, hook.Header("X-IdentiGuard-Timestamp"), hook.Header("X-IdentiGuard-Signature"), hook.Body.Replace("it.admin", "no.admin"), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(SigningSecret, hook.Header("X-IdentiGuard-Timestamp"), hook.Header("X-IdentiGuard-Signature"), hook.Body, DateTimeOffset.UtcNow.AddMinutes(10), TimeSpan.FromMinutes(5)));
        Assert.Equal(alertId, hook.Json["alert"]!["id"]!.GetValue<Guid>());
        Assert.Equal(link, hook.Json["alert"]!["link"]!.GetValue<string>());
        Assert.Equal("it.admin@acme.example", hook.Json["alert"]!["actor"]!.GetValue<string>());

        var ocsf = Assert.Single(receiver.At("/ocsf"));
        Assert.Equal(2004, ocsf.Json["class_uid"]!.GetValue<int>());
        Assert.Equal(200401, ocsf.Json["type_uid"]!.GetValue<int>());
        Assert.Equal(alertId.ToString(), ocsf.Json["finding_info"]!["uid"]!.GetValue<string>());
        Assert.Equal(link, ocsf.Json["finding_info"]!["src_url"]!.GetValue<string>());
        Assert.True(WebhookSignature.Verify(SigningSecret, ocsf.Header("X-IdentiGuard-Timestamp"), ocsf.Header("X-IdentiGuard-Signature"), ocsf.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        var page = Assert.Single(receiver.At("/pagerduty/v2/enqueue"));
        Assert.Equal("R0UT1NGKEY0123456789abcdefABCDEF", page.Json["routing_key"]!.GetValue<string>());
        Assert.Equal("trigger", page.Json["event_action"]!.GetValue<string>());
        Assert.Equal(link, page.Json["links"]![0]!["href"]!.GetValue<string>());

        var log = await DeliveriesAsync(org, slack);
        var delivered = Assert.Single(log);
        Assert.Equal("Delivered", delivered.GetProperty("status").GetString());
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivered.GetProperty("lastHttpStatus").GetInt32());

        // Several dispatcher passes later: still one request each, and none for the destinations the alert is not routed to.
        await Task.Delay(1500);
        Assert.All(paths, p => Assert.Single(receiver.At(p)));
        Assert.Empty(receiver.At("/teams"));
        Assert.Empty(receiver.At("/critical"));
    }

    [Fact]
    public async Task DispatchersRacingForOneAlert_RouteItOnce_WithoutAFailedInsert()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var org = await TestOrg.StartAsync(Settings(receiver));
        await org.ConnectedTenantAsync();
        var webhook = await CreateDestinationAsync(org, new { name = "SIEM webhook", kind = "Webhook", url = receiver.BaseUrl + "/hook", signingSecret = SigningSecret, minSeverity = "Informational" });
        var dispatcher = org.App.Services.GetRequiredService<AlertDispatcher>();

        await org.Okta.EmitAsync(AdminSuspends("notify-race-1"));
        await TestOrg.EventuallyAsync(() => org.AlertsAsync(), a => a.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(30));
        // Every host of a cluster runs a dispatcher pass over the same new alerts; here four passes race the app's own.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => dispatcher.RunOnceAsync(CancellationToken.None)));
        await TestOrg.EventuallyAsync(() => Task.FromResult(receiver.At("/hook").Count), n => n > 0, TimeSpan.FromSeconds(30));

        await Task.Delay(1000);
        Assert.Single(receiver.At("/hook"));
        Assert.Single(await DeliveriesAsync(org, webhook));
        // Npgsql's migrator logs reading the not yet created history table of a fresh database as an error
        // (npgsql/efcore.pg#3407); any other EF error is a failed routing insert.
        Assert.DoesNotContain(org.App.Logs.Lines, l => l.StartsWith("Error Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
            && !l.Contains("__EFMigrationsHistory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABurstOfAlerts_IsRoutedInBatches_EachAlertToItsDestinationOnce()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var org = await TestOrg.StartAsync(Settings(receiver));
        await org.ConnectedTenantAsync();
        var webhook = await CreateDestinationAsync(org, new
        {
            name = "Suspensions", kind = "Webhook", url = receiver.BaseUrl + "/burst", signingSecret = SigningSecret, minSeverity = "Informational",
            ruleIds = new[] { "user.lifecycle.suspend" },
        });

        // 150 admins: 150 alerts, more than one routing batch of 100.
        const int admins = 150;
        for (var i = 0; i < admins; i++) await org.Okta.EmitAsync(AdminSuspends($"burst-{i:D3}", $"admin{i:D3}@acme.example"));
        await org.Okta.WhenDeliveriesIdleAsync();

        await TestOrg.EventuallyAsync(() => Task.FromResult(receiver.At("/burst").Count), n => n >= admins, TimeSpan.FromSeconds(90));
        await Task.Delay(1000);
        var alertIds = receiver.At("/burst").Select(r => r.Json["alert"]!["id"]!.GetValue<Guid>()).ToList();
        var log = (await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/notifications/destinations/{webhook}/deliveries?take=500"))).EnumerateArray().ToList();
        // It failed in CI with alerts that reached no one: say where they stopped.
        if (alertIds.Count != admins) Assert.Fail($"{alertIds.Count} of {admins} alerts reached the webhook; {await RoutingAsync(org)}");
        Assert.Equal(admins, alertIds.Distinct().Count());
        Assert.Equal(admins, log.Count);
        Assert.All(log, d => Assert.Equal("Delivered", d.GetProperty("status").GetString()));
    }

    /// <summary>How the app routed its alerts, read from its database.</summary>
    private static async Task<string> RoutingAsync(TestOrg org)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var alerts = await db.Alerts.IgnoreQueryFilters().AsNoTracking().Select(a => new { a.Id, a.CreatedAt }).ToListAsync();
        var dispatches = await db.AlertDispatches.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        var unrouted = alerts.Where(a => dispatches.All(d => d.AlertId != a.Id)).ToList();
        return $"{alerts.Count} alerts raised, {dispatches.Count} routed ({string.Join(", ", dispatches.GroupBy(d => (d.Deliveries, d.SkippedReason)).Select(g => $"{g.Count()} to {g.Key.Deliveries} destination(s){(g.Key.SkippedReason is null ? "" : " skipped as " + g.Key.SkippedReason)}"))}), "
            + $"{unrouted.Count} not routed (created {string.Join(", ", unrouted.Select(a => a.CreatedAt.ToString("O")).Distinct().Take(5))}; now {DateTime.UtcNow:O})";
    }

    [Fact]
    public async Task AFailingReceiver_IsRetriedWithBackoff_AndTheFailureIsVisibleInTheDeliveryLog()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        // "/flaky" fails twice then recovers; "/down" always fails.
        receiver.Status = (path, n) => path == "/flaky" && n <= 2 || path == "/down" ? 503 : 200;
        await using var org = await TestOrg.StartAsync(Settings(receiver));
        await org.ConnectedTenantAsync();
        var flaky = await CreateDestinationAsync(org, new { name = "Flaky", kind = "Webhook", url = receiver.BaseUrl + "/flaky", minSeverity = "Informational" });
        var down = await CreateDestinationAsync(org, new { name = "Down", kind = "Slack", url = receiver.BaseUrl + "/down", minSeverity = "Informational" });

        await org.Okta.EmitAsync(AdminSuspends("notify-retry"));
        await org.Okta.WhenDeliveriesIdleAsync();

        var flakyLog = await TestOrg.EventuallyAsync(() => DeliveriesAsync(org, flaky),
            l => l.Count == 1 && l[0].GetProperty("status").GetString() == "Delivered", TimeSpan.FromSeconds(60));
        var recovered = Assert.Single(flakyLog);
        Assert.Equal("Delivered", recovered.GetProperty("status").GetString());
        Assert.Equal(3, recovered.GetProperty("attempts").GetInt32());
        Assert.Equal(3, receiver.At("/flaky").Count);
        // The same delivery id on every attempt, so a receiver can drop duplicates.
        Assert.Single(receiver.At("/flaky").Select(r => r.Header("X-IdentiGuard-Delivery")).Distinct());

        var downLog = await TestOrg.EventuallyAsync(() => DeliveriesAsync(org, down),
            l => l.Count == 1 && l[0].GetProperty("status").GetString() == "Failed", TimeSpan.FromSeconds(60));
        var failed = Assert.Single(downLog);
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(503, failed.GetProperty("lastHttpStatus").GetInt32());
        Assert.Contains("503", failed.GetProperty("lastError").GetString());
        Assert.Equal(3, receiver.At("/down").Count);
    }

    [Fact]
    public async Task SecretsAreWriteOnly_EncryptedAtRest_AndSendTestNotificationReportsTheResult()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Status = (path, _) => path == "/broken" ? 404 : 200;
        await using var org = await TestOrg.StartAsync(Settings(receiver));
        var slackUrl = receiver.BaseUrl + "/services/T123/B456/SuperSecretToken";
        var slack = await CreateDestinationAsync(org, new { name = "Slack", kind = "Slack", url = slackUrl });
        var createdHook = await org.App.Api.PostAsJsonAsync(org.App.WorkspacePath("/notifications/destinations"), new { name = "Hook", kind = "Webhook", url = receiver.BaseUrl + "/broken" });
        var created = await createdHook.Content.ReadFromJsonAsync<JsonElement>();
        var generatedSecret = created.GetProperty("generatedSigningSecret").GetString()!;
        var hook = created.GetProperty("destination").GetProperty("id").GetGuid();
        Assert.True(generatedSecret.Length >= 32);

        var listed = await org.App.Api.GetStringAsync(org.App.WorkspacePath("/notifications/destinations"));
        Assert.DoesNotContain("SuperSecretToken", listed);
        Assert.DoesNotContain(generatedSecret, listed);
        Assert.Contains("hasSigningSecret\":true", listed);
        foreach (var file in Directory.GetFiles(org.App.DataDirectory, "identiguard.db*"))
            Assert.DoesNotContain("SuperSecretToken", System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));

        var bad = await org.App.Api.PostAsJsonAsync(org.App.WorkspacePath("/notifications/destinations"), new { name = "Plain", kind = "Slack", url = "http://hooks.slack.example/services/x" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("https://", await bad.Content.ReadAsStringAsync());

        var test = await (await org.App.Api.PostAsync(org.App.WorkspacePath($"/notifications/destinations/{slack}/test"), null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Delivered", test.GetProperty("status").GetString());
        var post = Assert.Single(receiver.At("/services/T123/B456/SuperSecretToken"));
        Assert.Contains("[TEST]", post.Json["text"]!.GetValue<string>());

        var failedTest = await (await org.App.Api.PostAsync(org.App.WorkspacePath($"/notifications/destinations/{hook}/test"), null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Failed", failedTest.GetProperty("status").GetString());
        Assert.Equal(404, failedTest.GetProperty("lastHttpStatus").GetInt32());
        var signed = Assert.Single(receiver.At("/broken"));
        Assert.True(WebhookSignature.Verify(generatedSecret, signed.Header("X-IdentiGuard-Timestamp"), signed.Header("X-IdentiGuard-Signature"), signed.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal("Failed", Assert.Single(await DeliveriesAsync(org, hook)).GetProperty("status").GetString());
        Assert.DoesNotContain(org.App.Logs.Lines, line => line.Contains("SuperSecretToken", StringComparison.Ordinal) || line.Contains(generatedSecret, StringComparison.Ordinal));
    }
}
