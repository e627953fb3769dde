using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.Cluster;

/// <summary>Cluster mode: identical hosts on Redis (membership, key ring, alert updates) and PostgreSQL.</summary>
public sealed class RedisClusterTests
{
    [Fact]
    public async Task ClusterMode_WithoutPostgreSql_RefusesToStart_SayingWhy()
    {
        var settings = new Dictionary<string, string?>
        {
            ["IdentiGuard:Cluster:Mode"] = "Redis",
            ["IdentiGuard:Redis:ConnectionString"] = "127.0.0.1:1",
            ["IdentiGuard:Database:Provider"] = "Sqlite",
            ["IdentiGuard:Database:ConnectionString"] = null,
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => IdentiGuardApp.StartAsync(settings));
        Assert.Contains("IdentiGuard:Database:Provider to PostgreSql", Flatten(error));
    }

    [Fact]
    public async Task ClusterMode_WithoutARedisConnectionString_RefusesToStart_SayingWhy()
    {
        var settings = new Dictionary<string, string?>
        {
            ["IdentiGuard:Cluster:Mode"] = "Redis",
            ["IdentiGuard:Database:Provider"] = "PostgreSql",
            ["IdentiGuard:Database:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=none",
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => IdentiGuardApp.StartAsync(settings));
        Assert.Contains("IdentiGuard:Redis:ConnectionString", Flatten(error));
    }

    [RedisClusterFact]
    public async Task TwoHosts_FormOneCluster_ShareTheKeyRing_AndEveryHostSeesLiveAlertUpdates()
    {
        await using var okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true });
        var cluster = await RedisCluster.NewAsync();
        var secondPort = FreePort.Next();
        // Okta is pointed at the second host: the tenant (and its secrets) is created on the first, so the second can
        // verify a delivery only by reading the hook secret with the first host's key, from the shared ring.
        await using var first = await IdentiGuardApp.StartAsync(cluster(), publicBaseUrl: $"http://127.0.0.1:{secondPort}");
        await using var second = await IdentiGuardApp.StartAsync(cluster(), port: secondPort);
        Assert.NotEqual(first.DataDirectory, second.DataDirectory);

        var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var hosts = await TestOrg.EventuallyAsync(() => management.GetHosts(onlyActive: true), h => h.Count == 2, TimeSpan.FromSeconds(60));
        Assert.Equal(2, hosts.Count);

        var updates = new ConcurrentBag<(string Host, Guid WorkspaceId)>();
        first.Services.GetRequiredService<AlertFeed>().AlertsChanged += ws => updates.Add(("first", ws));
        second.Services.GetRequiredService<AlertFeed>().AlertsChanged += ws => updates.Add(("second", ws));

        var created = await first.Api.PostAsJsonAsync(first.WorkspacePath("/tenants"), new
        {
            clientId = okta.SeedClient.ClientId, clientSecret = okta.SeedClient.ClientSecret, domainUrl = okta.BaseUrl,
        });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("tenant").GetProperty("status").GetString() == "Connected", body.ToString());

        await okta.EmitAsync(SuperAdminGrant());
        await okta.WhenDeliveriesIdleAsync();

        // Accepted by the second host (it decrypted the secret the first stored), alerted once, seen on both hosts.
        var alerts = await TestOrg.EventuallyAsync(() => AlertsAsync(second), a => a.Any(IsGrant), TimeSpan.FromSeconds(30));
        Assert.Single(alerts, IsGrant);
        Assert.Single(await AlertsAsync(first), IsGrant);
        await TestOrg.EventuallyAsync(() => Task.FromResult(updates.ToList()),
            u => u.Any(x => x.Host == "first" && x.WorkspaceId == first.WorkspaceId) && u.Any(x => x.Host == "second" && x.WorkspaceId == second.WorkspaceId),
            TimeSpan.FromSeconds(30));
        Assert.Contains(updates, x => x.Host == "first" && x.WorkspaceId == first.WorkspaceId);
        Assert.Contains(updates, x => x.Host == "second" && x.WorkspaceId == second.WorkspaceId);
        Assert.DoesNotContain(second.Logs.Lines, l => l.Contains("CryptographicException", StringComparison.Ordinal));
    }

    private static bool IsGrant(JsonElement alert) => alert.GetProperty("ruleId").GetString() == "okta-admin-role-assigned";

    private static async Task<List<JsonElement>> AlertsAsync(IdentiGuardApp app)
        => (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/alerts?take=200"))).GetProperty("items").EnumerateArray().ToList();

    internal static JsonObject SuperAdminGrant(string uuid = "cluster-grant-1") => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.account.privilege.grant",
        DisplayMessage = "Grant user privilege",
        Actor = LogEventFactory.UserActor("00u1adm", "it.admin@acme.example", "IT Admin"),
        Targets = [LogEventFactory.Target("00u2bob", "User", "bob@acme.example", "Bob")],
        DebugData = new JsonObject { ["privilegeGranted"] = "Super administrator" },
        Published = DateTimeOffset.UtcNow.AddMinutes(-1),
        Uuid = uuid,
    });

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        if (error is AggregateException aggregate) messages.AddRange(aggregate.Flatten().InnerExceptions.Select(e => e.Message));
        return string.Join(" | ", messages);
    }
}
