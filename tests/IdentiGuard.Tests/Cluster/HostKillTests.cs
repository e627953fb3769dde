using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Server.Storage;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.Cluster;

/// <summary>
/// kill -9 of the host that processes a tenant, in a 3-host cluster of separate processes (Redis membership,
/// PostgreSQL), during sustained deliveries from the Okta emulator through a failover load balancer. The CI version of
/// scripts/failure-test.sh host-kill, which runs it longer (IDENTIGUARD_FAILURE_SECONDS) and prints its figures.
/// </summary>
public sealed class HostKillTests(ITestOutputHelper output)
{
    private static int Seconds(string variable, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(variable), out var s) && s > 0 ? s : fallback;

    [RedisClusterFact]
    public async Task KillingTheTenantsHost_LosesNoAcknowledgedEvent_RaisesEachAlertOnce_AndTheTenantResumesElsewhere()
    {
        var loadSeconds = Seconds("IDENTIGUARD_FAILURE_SECONDS", 8);
        var eventsPerSecond = Seconds("IDENTIGUARD_FAILURE_RATE", 40);
        await using var okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true });
        await using var proxy = await FailoverProxy.StartAsync();
        var cluster = await RedisCluster.NewAsync();
        var database = cluster()["IdentiGuard:Database:ConnectionString"]!;

        var hosts = new List<ServerProcess>();
        try
        {
            ServerProcess StartHost(int n)
            {
                var settings = cluster();
                settings["IdentiGuard:DataDirectory"] = Directory.CreateTempSubdirectory($"identiguard-host{n}-").FullName;
                settings["IdentiGuard:PublicBaseUrl"] = proxy.BaseUrl;
                settings["IdentiGuard:Okta:AllowInsecureLoopback"] = "true";
                settings["IdentiGuard:Bootstrap:AdminEmail"] = IdentiGuardApp.AdminEmail;
                settings["IdentiGuard:Bootstrap:AdminPassword"] = IdentiGuardApp.AdminPassword;
                settings["IdentiGuard:Polling:MinInterval"] = "00:00:00.500";
                settings["IdentiGuard:Polling:MaxInterval"] = "00:00:02";
                settings["IdentiGuard:Polling:ErrorInterval"] = "00:00:02";
                settings["IdentiGuard:Polling:LeaseDuration"] = "00:00:10";
                settings["IdentiGuard:Polling:BackfillWindow"] = "00:00:00";
                var host = ServerProcess.Start($"host{n}", FreePort.Next(), settings);
                hosts.Add(host);
                return host;
            }

            // The first host migrates the database and creates the owner; then the other two join.
            var startedAt = DateTime.UtcNow;
            await StartHost(1).WaitHealthyAsync(TimeSpan.FromSeconds(120));
            StartHost(2);
            StartHost(3);
            foreach (var host in hosts) await host.WaitHealthyAsync(TimeSpan.FromSeconds(120));
            proxy.SetTargets(hosts.Select(h => h.BaseUrl));
            var upAfter = DateTime.UtcNow - startedAt;

            var (api, workspaceId) = await hosts[0].SignInAsync();
            var created = await api.PostAsJsonAsync($"/api/workspaces/{workspaceId}/tenants", new
            {
                clientId = okta.SeedClient.ClientId, clientSecret = okta.SeedClient.ClientSecret, domainUrl = okta.BaseUrl,
            });
            var tenant = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenant");
            Assert.True(tenant.GetProperty("status").GetString() == "Connected", tenant.ToString());
            var tenantId = tenant.GetProperty("id").GetGuid();
            string Activation() => $"Tenant {tenantId} is processed on this host";

            // Sustained deliveries; every tenth second an attack by a new admin (one alert each, expected once).
            using var stop = new CancellationTokenSource();
            var emitted = new List<string>();
            var attacks = new List<string>();
            var emitting = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    emitted.Add(await okta.EmitAsync(LogEventFactory.Create(new LogEventSpec { EventType = "user.session.start", Uuid = $"kill-{i:D6}", OutcomeResult = "SUCCESS" })));
                    if (i % eventsPerSecond == 0)
                    {
                        var attack = $"kill-grant-{attacks.Count + 1}";
                        attacks.Add(attack);
                        emitted.Add(await okta.EmitAsync(Grant(attack, $"admin{attacks.Count}@acme.example")));
                    }
                    await Task.Delay(1000 / eventsPerSecond);
                }
            });

            // The host that processes the tenant is the one to kill.
            var victim = await TestOrg.EventuallyAsync(() => Task.FromResult(hosts.FirstOrDefault(h => h.Output.Any(l => l.Contains(Activation())))),
                h => h is not null, TimeSpan.FromSeconds(60));
            Assert.NotNull(victim);
            await Task.Delay(TimeSpan.FromSeconds(loadSeconds / 2.0));
            var killedAt = DateTime.UtcNow;
            victim.Kill();
            var survivors = hosts.Where(h => h != victim).ToList();
            await Task.Delay(TimeSpan.FromSeconds(loadSeconds / 2.0));
            await stop.CancelAsync();
            await emitting;
            await okta.WhenDeliveriesIdleAsync();

            // Every event Okta emitted is stored exactly once: acknowledged deliveries directly, failed ones by the poller.
            var acknowledged = okta.Deliveries.Where(d => d.Succeeded).SelectMany(d => d.EventUuids).ToHashSet();
            Assert.NotEmpty(acknowledged);
            var stored = await TestOrg.EventuallyAsync(() => StoredUuidsAsync(database, tenantId), s => emitted.All(s.Contains), TimeSpan.FromSeconds(180));
            var storedAt = DateTime.UtcNow;
            Assert.Empty(acknowledged.Except(stored));
            Assert.Empty(emitted.Except(stored));
            Assert.Equal(stored.Count, stored.Distinct().Count());

            // Each attack raises its alert exactly once, after processing resumed on a surviving host.
            // The rule groups by the account that was granted the role: one alert per attack.
            var alerts = await TestOrg.EventuallyAsync(() => GrantAlertsAsync(database, tenantId), a => attacks.All(x => a.Any(y => Targets(y, x))), TimeSpan.FromSeconds(180));
            var alertsAt = DateTime.UtcNow;
            foreach (var attack in attacks) Assert.Single(alerts, a => Targets(a, attack));
            Assert.All(alerts, a => Assert.Equal(1, a.Count));
            // The hosts' output is read asynchronously and lags under load: wait for the survivor's activation line.
            var resumedOn = await TestOrg.EventuallyAsync(() => Task.FromResult(survivors.FirstOrDefault(h => h.Output.Any(l => l.Contains(Activation())))),
                h => h is not null, TimeSpan.FromSeconds(30));
            Assert.NotNull(resumedOn);

            // The poller kept its single writer: it polls after the kill, from a surviving host.
            var polledAfterKill = await TestOrg.EventuallyAsync(() => LastPolledAsync(database, tenantId), at => at > killedAt.AddSeconds(1), TimeSpan.FromSeconds(120));
            Assert.True(polledAfterKill > killedAt, "the System Log poller did not resume after the kill");

            var report = Environment.GetEnvironmentVariable("IDENTIGUARD_FAILURE_REPORT");
            if (report is not null)
                await File.AppendAllTextAsync(report,
                    $"host-kill: 3 hosts up in {upAfter.TotalSeconds:F0} s; {emitted.Count} events emitted over {loadSeconds} s, {okta.Deliveries.Count} delivery attempts " +
                    $"({okta.Deliveries.Count(d => d.Succeeded)} acknowledged, {okta.Deliveries.Count(d => !d.Succeeded)} failed), " +
                    $"{stored.Count} stored (duplicates: {stored.Count - stored.Distinct().Count()}), {attacks.Count} attacks -> {alerts.Count} alerts, " +
                    $"killed {victim.Name}; all stored {(storedAt - killedAt).TotalSeconds:F0} s and all alerted {(alertsAt - killedAt).TotalSeconds:F0} s after the kill " +
                    $"(load ended {loadSeconds / 2.0:F0} s after it); processing resumed on {string.Join(",", survivors.Where(h => h.Output.Any(l => l.Contains(Activation()))).Select(h => h.Name))}\n");
        }
        catch
        {
            ReportHosts(hosts);
            throw;
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }

    /// <summary>On failure, the hosts' warnings and last lines go to the test's output and their full logs to files.</summary>
    private void ReportHosts(IEnumerable<ServerProcess> hosts)
    {
        foreach (var host in hosts)
        {
            var lines = host.Output.ToList();
            var log = Path.Combine(Path.GetTempPath(), $"identiguard-hostkill-{host.Name}-{Environment.ProcessId}.log");
            File.WriteAllLines(log, lines);
            var warnings = lines.Select((line, i) => (line, i))
                .Where(l => l.line.StartsWith("warn:", StringComparison.Ordinal) || l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal))
                .Select(l => l.i + 1 < lines.Count ? $"{l.line} {lines[l.i + 1].Trim()}" : l.line);
            output.WriteLine($"--- {host.Name} ({lines.Count} lines, full log {log}) warnings and errors:");
            foreach (var line in warnings.TakeLast(20)) output.WriteLine(line);
            output.WriteLine($"--- {host.Name} last lines:");
            foreach (var line in lines.TakeLast(30)) output.WriteLine(line);
        }
    }

    private static bool Targets(Alert alert, string attack) => alert.Actor.Contains($"target-{attack}@", StringComparison.Ordinal);

    internal static JsonObject Grant(string uuid, string admin) => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.account.privilege.grant",
        DisplayMessage = "Grant user privilege",
        Actor = LogEventFactory.UserActor($"00u{Math.Abs(admin.GetHashCode()):D10}", admin, admin),
        Targets = [LogEventFactory.Target($"00t{Math.Abs(uuid.GetHashCode()):D10}", "User", $"target-{uuid}@acme.example", "Target")],
        DebugData = new JsonObject { ["privilegeGranted"] = "Super administrator" },
        Published = DateTimeOffset.UtcNow,
        Uuid = uuid,
    });

    private static IdentiGuardDbContext Open(string database)
    {
        var options = new DbContextOptionsBuilder<IdentiGuardDbContext>();
        StorageExtensions.Configure(options, new StorageOptions { Provider = DatabaseProvider.PostgreSql, ConnectionString = database }, new());
        return new IdentiGuardDbContext(options.Options, new WorkspaceScope());
    }

    private static async Task<List<string>> StoredUuidsAsync(string database, Guid tenantId)
    {
        await using var db = Open(database);
        return await db.Events.IgnoreQueryFilters().Where(e => e.TenantId == tenantId).Select(e => e.Uuid).ToListAsync();
    }

    private static async Task<List<Alert>> GrantAlertsAsync(string database, Guid tenantId)
    {
        await using var db = Open(database);
        return await db.Alerts.IgnoreQueryFilters().AsNoTracking().Where(a => a.TenantId == tenantId && a.RuleId == "okta-admin-role-assigned").ToListAsync();
    }

    private static async Task<DateTime?> LastPolledAsync(string database, Guid tenantId)
    {
        await using var db = Open(database);
        return await db.PollCheckpoints.AsNoTracking().Where(c => c.TenantId == tenantId).Select(c => c.LastPolledAt).SingleOrDefaultAsync();
    }
}
