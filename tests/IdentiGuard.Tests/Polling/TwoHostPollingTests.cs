using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Polling;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.Polling;

/// <summary>Two IdentiGuard hosts in one Orleans cluster (localhost clustering) over one database.</summary>
public sealed class TwoHostPollingTests
{
    private static Dictionary<string, string?> Host(int siloPort, int? primarySiloPort) => new()
    {
        ["IdentiGuard:Cluster:SiloPort"] = siloPort.ToString(),
        ["IdentiGuard:Cluster:GatewayPort"] = FreePort.Next().ToString(),
        ["IdentiGuard:Cluster:PrimarySiloPort"] = primarySiloPort?.ToString(),
        ["IdentiGuard:Polling:MinInterval"] = "00:00:00.200",
        ["IdentiGuard:Polling:MaxInterval"] = "00:00:01",
        ["IdentiGuard:Polling:ErrorInterval"] = "00:00:01",
        ["IdentiGuard:Polling:LeaseDuration"] = "00:00:05",
        ["IdentiGuard:Polling:BackfillWindow"] = "00:00:00",
    };

    private static async Task<PollCheckpoint> CheckpointAsync(IdentiGuardApp app, Guid tenantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().PollCheckpoints.AsNoTracking().SingleAsync(c => c.TenantId == tenantId);
    }

    private static async Task<List<string>> PolledUuidsAsync(IdentiGuardApp app, Guid tenantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Events.IgnoreQueryFilters()
            .Where(e => e.TenantId == tenantId && e.Source == EventSource.Poll).Select(e => e.Uuid).ToListAsync();
    }

    private static async Task<List<string>> EmitThreatsAsync(EmulatedOkta okta, string prefix, int count)
    {
        var uuids = new List<string>();
        for (var i = 0; i < count; i++)
            uuids.Add(await okta.EmitAsync(LogEventFactory.Create(new LogEventSpec { EventType = "security.threat.detected", Uuid = $"{prefix}-{i}", OutcomeResult = "DENY" })));
        return uuids;
    }

    [Fact]
    public async Task TwoHostsInOneCluster_PollATenantFromOneActivationOnly_AndPollingSurvivesLosingAHost()
    {
        await using var okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true });
        var data = Directory.CreateTempSubdirectory("identiguard-cluster-").FullName;
        var primarySilo = FreePort.Next();
        await using var primary = await IdentiGuardApp.StartAsync(Host(primarySilo, null), dataDirectory: data);
        var secondary = await IdentiGuardApp.StartAsync(Host(FreePort.Next(), primarySilo), dataDirectory: data);
        var management = primary.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var silos = await TestOrg.EventuallyAsync(() => management.GetHosts(onlyActive: true), h => h.Count == 2, TimeSpan.FromSeconds(30));
        Assert.Equal(2, silos.Count);

        // Added through the secondary host: its grain call may place the poller on either silo.
        var created = await secondary.Api.PostAsJsonAsync(secondary.WorkspacePath("/tenants"), new
        {
            clientId = okta.SeedClient.ClientId, clientSecret = okta.SeedClient.ClientSecret, domainUrl = okta.BaseUrl,
        });
        var tenant = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenant");
        Assert.Equal("Connected", tenant.GetProperty("status").GetString());
        var tenantId = tenant.GetProperty("id").GetGuid();

        var first = await EmitThreatsAsync(okta, "both-up", 10);
        await TestOrg.EventuallyAsync(() => PolledUuidsAsync(primary, tenantId), stored => first.All(stored.Contains), TimeSpan.FromSeconds(30));
        await Task.Delay(3000); // several more poll cycles with both hosts up

        // Both hosts ran their start-up sweep and called the poller, yet it was acquired exactly once: one activation.
        var checkpoint = await CheckpointAsync(primary, tenantId);
        Assert.Equal(1, checkpoint.FencingToken);
        var polled = await PolledUuidsAsync(primary, tenantId);
        Assert.Equal(polled.Count, polled.Distinct().Count());

        // Losing the secondary host (with the poller, if it ran there) does not stop polling.
        await secondary.DisposeAsync();
        var second = await EmitThreatsAsync(okta, "after-loss", 5);
        var after = await TestOrg.EventuallyAsync(() => PolledUuidsAsync(primary, tenantId), stored => second.All(stored.Contains), TimeSpan.FromSeconds(60));
        Assert.All(second, uuid => Assert.Single(after, u => u == uuid));
    }
}
