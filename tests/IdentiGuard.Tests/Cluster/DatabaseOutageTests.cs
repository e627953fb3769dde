using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.Cluster;

/// <summary>
/// The database goes away for 10 seconds under sustained deliveries (the CI version of scripts/failure-test.sh db-outage).
/// </summary>
public sealed class DatabaseOutageTests
{
    [PrivatePostgresFact]
    public async Task PostgreSqlDownFor10Seconds_DeliveriesGet5xx_NothingAcknowledgedIsLost_AndTheAppRecoversByItself()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var database = await postgres.CreateDatabaseAsync("identiguard");
        await using var okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true });
        await using var app = await IdentiGuardApp.StartAsync(new Dictionary<string, string?>
        {
            ["IdentiGuard:Database:Provider"] = "PostgreSql",
            ["IdentiGuard:Database:ConnectionString"] = database,
            // Only the hook path stores events here, so what is stored is exactly what was acknowledged.
            ["IdentiGuard:Polling:Enabled"] = "false",
            ["IdentiGuard:Health:Enabled"] = "false",
        });
        var created = await app.Api.PostAsJsonAsync(app.WorkspacePath("/tenants"), new
        {
            clientId = okta.SeedClient.ClientId, clientSecret = okta.SeedClient.ClientSecret, domainUrl = okta.BaseUrl,
        });
        var tenant = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenant");
        Assert.Equal("Connected", tenant.GetProperty("status").GetString());
        var tenantId = tenant.GetProperty("id").GetGuid();
        var hook = okta.Hooks.Single();

        var load = new HookLoad(hook.Uri, hook.AuthSchemeValue!);
        using var stop = new CancellationTokenSource();
        var sending = load.RunAsync(senders: 2, pause: TimeSpan.FromMilliseconds(100), stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(3));
        await postgres.StopAsync();
        var down = DateTime.UtcNow; // stopped: every connection is cut
        await Task.Delay(TimeSpan.FromSeconds(10));
        var restarting = DateTime.UtcNow;
        await postgres.StartAgainAsync();
        var up = DateTime.UtcNow;

        // No restart: deliveries are acknowledged again once the database is back.
        await TestOrg.EventuallyAsync(() => Task.FromResult(load.Outcomes.Count(o => o.At > up && o.Acknowledged)), n => n >= 20, TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await sending;
        var outcomes = load.Outcomes;

        // Answers from half a second after the stop until the restart began (an answer is timed when it arrives).
        var duringOutage = outcomes.Where(o => o.At > down.AddSeconds(0.5) && o.At < restarting).ToList();
        Assert.NotEmpty(duringOutage);
        Assert.All(duringOutage, o => Assert.False(o.Acknowledged, $"a delivery was acknowledged while the database was down ({o.Status})"));
        Assert.Contains(duringOutage, o => o.Status is >= 500);
        Assert.DoesNotContain(outcomes, o => o.Status is >= 400 and < 500); // 4xx would stop Okta from retrying
        Assert.True(outcomes.Count(o => o.At > up && o.Acknowledged) >= 20);

        // Every acknowledged event is stored, and only once (a delivery that failed after its commit is retried by Okta and deduplicated).
        var acknowledged = outcomes.Where(o => o.Acknowledged).SelectMany(o => o.Uuids).ToHashSet();
        var stored = await StoredUuidsAsync(app, tenantId);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Empty(acknowledged.Except(stored));

        var report = Environment.GetEnvironmentVariable("IDENTIGUARD_FAILURE_REPORT");
        if (report is not null)
        {
            var firstAck = outcomes.Where(o => o.At > up && o.Acknowledged).Min(o => o.At);
            await File.AppendAllTextAsync(report,
                $"db-outage: {outcomes.Count} deliveries of 5 events ({outcomes.Count(o => o.Acknowledged)} acknowledged); during the 10 s outage " +
                $"{duringOutage.Count} deliveries: {duringOutage.Count(o => o.Status >= 500)} got 5xx, {duringOutage.Count(o => o.Status is null)} no answer in 3 s, 0 acknowledged; " +
                $"first acknowledgement {(firstAck - up).TotalSeconds:F1} s after PostgreSQL was back; {acknowledged.Count} acknowledged events, all stored, " +
                $"{stored.Count - stored.Distinct().Count()} duplicates\n");
        }

        // Processing recovered too: a new attack raises its alert.
        await okta.EmitAsync(RedisClusterTests.SuperAdminGrant("after-outage"));
        await okta.WhenDeliveriesIdleAsync();
        var alerts = await TestOrg.EventuallyAsync(() => app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/alerts?take=200")),
            a => a.GetProperty("items").EnumerateArray().Any(x => x.GetProperty("ruleId").GetString() == "okta-admin-role-assigned"), TimeSpan.FromSeconds(120));
        Assert.True(alerts.GetProperty("items").EnumerateArray().Any(x => x.GetProperty("ruleId").GetString() == "okta-admin-role-assigned"),
            "no alert after the outage; the app logged:\n" + string.Join("\n", app.Logs.Lines.Where(l => l.StartsWith("Warning") || l.StartsWith("Error")).TakeLast(5)));
    }

    private static async Task<List<string>> StoredUuidsAsync(IdentiGuardApp app, Guid tenantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Events.IgnoreQueryFilters()
            .Where(e => e.TenantId == tenantId && e.Source == EventSource.Hook).Select(e => e.Uuid).ToListAsync();
    }
}
