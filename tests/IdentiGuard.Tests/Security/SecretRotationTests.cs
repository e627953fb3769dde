using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.OktaEmulator;
using IdentiGuard.OktaEmulator.SystemLog;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Security;

/// <summary>Secret rotation against the Okta emulator: no delivery is lost while the hook secret changes; a bad client secret never replaces a good one.</summary>
public sealed class SecretRotationTests
{
    // Polling off: every event must arrive through the hook, so a refused delivery would show as a missing event.
    private static readonly Dictionary<string, string?> HookOnly = new() { ["IdentiGuard:Polling:Enabled"] = "false" };

    private static async Task<HttpStatusCode> DeliverAsync(IdentiGuardApp app, Guid tenantId, string secret, string uuid)
    {
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/okta/{tenantId}") { Content = new StringContent(Envelope(uuid), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", secret);
        return (await client.SendAsync(request)).StatusCode;
    }

    private static async Task<HashSet<string>> StoredUuidsAsync(IdentiGuardApp app, Guid tenantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        return (await db.Events.IgnoreQueryFilters().Where(e => e.TenantId == tenantId && e.Source == EventSource.Hook).Select(e => e.Uuid).ToListAsync()).ToHashSet();
    }

    [Fact]
    public async Task HookSecretRotation_AcceptsOldAndNewDuringTheSwitch_LosesNoDelivery_ThenRetiresTheOld()
    {
        await using var org = await TestOrg.StartAsync(HookOnly);
        var app = org.App;
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var oldSecret = org.Okta.Hooks.Single().AuthSchemeValue!;
        var expected = new List<string>();

        // Okta delivers with the old secret before the rotation.
        var before = Emit("before-rotation");
        await org.Okta.EmitAsync(before.Event);
        expected.Add(before.Uuid);
        await org.Okta.WhenDeliveriesIdleAsync();

        // Deliveries signed with the old secret keep arriving while the rotation runs (Okta's in-flight requests and retries).
        using var stop = new CancellationTokenSource();
        var during = new List<(string Uuid, HttpStatusCode Status)>();
        var sender = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested || i < 3; i++)
            {
                var uuid = $"during-old-{i}";
                during.Add((uuid, await DeliverAsync(app, tenantId, oldSecret, uuid)));
            }
        });
        var rotation = await app.Api.PostAsync(app.WorkspacePath($"/tenants/{tenantId}/hook-secret/rotate"), null);
        await stop.CancelAsync();
        await sender;
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        Assert.All(during, d => Assert.Equal(HttpStatusCode.OK, d.Status));
        expected.AddRange(during.Select(d => d.Uuid));

        // Okta has the new secret (pushed with PUT) and the hook was verified again.
        var hook = org.Okta.Hooks.Single();
        var newSecret = hook.AuthSchemeValue!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal("VERIFIED", hook.VerificationStatus);
        Assert.Contains(org.Okta.Requests, r => r.Method == "PUT" && r.PathAndQuery.StartsWith("/api/v1/eventHooks/", StringComparison.Ordinal) && r.StatusCode == 200);

        // After the switch Okta signs with the new secret; a late retry with the old one is still accepted.
        var after = Emit("after-rotation");
        await org.Okta.EmitAsync(after.Event);
        expected.Add(after.Uuid);
        await org.Okta.WhenDeliveriesIdleAsync();
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(app, tenantId, newSecret, "direct-new"));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(app, tenantId, oldSecret, "late-old"));
        expected.AddRange(["direct-new", "late-old"]);

        var stored = await TestOrg.EventuallyAsync(() => StoredUuidsAsync(app, tenantId), s => expected.All(s.Contains), TimeSpan.FromSeconds(30));
        Assert.All(expected, u => Assert.Contains(u, stored));
        Assert.DoesNotContain(org.Okta.Deliveries, d => d.Kind == DeliveryKind.Delivery && !d.Succeeded);

        // Retiring the old secret: it is refused from now on and stores nothing; the new one keeps working.
        Assert.Equal(HttpStatusCode.NoContent, (await app.Api.PostAsync(app.WorkspacePath($"/tenants/{tenantId}/hook-secret/retire-previous"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(app, tenantId, oldSecret, "retired-old"));
        Assert.DoesNotContain("retired-old", await StoredUuidsAsync(app, tenantId));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(app, tenantId, newSecret, "still-new"));

        var audit = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/activity?search=tenant.hook_secret"));
        var actions = audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("tenant.hook_secret.rotating", actions);
        Assert.Contains("tenant.hook_secret.rotated", actions);
        Assert.Contains("tenant.hook_secret.retired", actions);
        var text = audit.ToString();
        Assert.DoesNotContain(oldSecret, text);
        Assert.DoesNotContain(newSecret, text);
    }

    [Fact]
    public async Task ClientSecretRotation_ReplacesTheSecretOnlyAfterATokenRequestWithItSucceeds()
    {
        await using var org = await TestOrg.StartAsync(HookOnly);
        var app = org.App;
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var path = app.WorkspacePath($"/tenants/{tenantId}/client-secret");

        // A wrong secret is refused and the working one stays.
        var wrong = await app.Api.PostAsJsonAsync(path, new { clientSecret = "not-the-new-secret-0123456789" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("invalid_client", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await app.Api.PostAsync(app.WorkspacePath($"/tenants/{tenantId}/retry"), null)).StatusCode);
        Assert.Equal("Connected", (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath($"/tenants/{tenantId}"))).GetProperty("status").GetString());

        // The admin generates a second secret in Okta, enters it, then deactivates the first one in Okta.
        var fresh = org.Okta.AddClientSecret(org.Okta.SeedClient.ClientId);
        var rotated = await app.Api.PostAsJsonAsync(path, new { clientSecret = fresh });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        org.Okta.DeactivateClientSecret(org.Okta.SeedClient.ClientId, org.Okta.SeedClient.ClientSecret);

        // IdentiGuard now gets its tokens with the new secret.
        var retried = await (await app.Api.PostAsync(app.WorkspacePath($"/tenants/{tenantId}/retry"), null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Connected", retried.GetProperty("tenant").GetProperty("status").GetString());

        var audit = (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/activity?search=tenant.client_secret.rotated"))).ToString();
        Assert.Contains("\"Failure\"", audit);
        Assert.Contains("\"Success\"", audit);
        Assert.DoesNotContain(fresh, audit);
        Assert.DoesNotContain(org.Okta.SeedClient.ClientSecret, audit);
    }

    private static (string Uuid, System.Text.Json.Nodes.JsonObject Event) Emit(string label)
    {
        var uuid = $"{label}-{Guid.NewGuid():N}";
        return (uuid, LogEventFactory.Create(new LogEventSpec
        {
            EventType = "user.account.privilege.grant", Uuid = uuid,
            Actor = LogEventFactory.UserActor("00uadmin", "admin@acme.example", "Admin"),
        }));
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
                    uuid, published = DateTime.UtcNow.ToString("O"), eventType = "user.session.start", version = "0", severity = "INFO",
                    displayMessage = "User login to Okta", actor = new { id = "00u1", type = "User", alternateId = "user@acme.com", displayName = "User" },
                    outcome = new { result = "SUCCESS" }, client = new { ipAddress = "203.0.113.7" },
                },
            },
        },
    });
}
