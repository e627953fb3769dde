using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Server.Tenants;
using IdentiGuard.Tests.Cluster;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Data;

/// <summary>scripts/backup.sh and scripts/restore.sh: the database and its key ring, restored into a fresh data directory.</summary>
public sealed class BackupRestoreTests
{
    [SqliteOnlyFact("the scripts back up the embedded SQLite database; PostgreSQL is backed up with pg_dump (docs/deployment.md).")]
    public async Task BackupOfARunningHost_RestoredIntoAFreshDataDirectory_StillDecryptsTheTenantSecrets()
    {
        await using var org = await TestOrg.StartAsync();
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        await org.Okta.EmitAsync(RedisClusterTests.SuperAdminGrant("backup-grant-1"));
        await org.Okta.WhenDeliveriesIdleAsync();
        await TestOrg.EventuallyAsync(() => GrantCountAsync(org), n => n == 1, TimeSpan.FromSeconds(30));

        // Online backup while the host runs, then the host is gone and its data directory with it.
        var archive = Path.Combine(Directory.CreateTempSubdirectory("identiguard-backup-").FullName, "backup.tar.gz");
        await RunScriptAsync("backup.sh", org.App.DataDirectory, archive);
        var port = org.App.Port;
        await org.App.DisposeAsync();
        Directory.Delete(org.App.DataDirectory, recursive: true);

        var fresh = Directory.CreateTempSubdirectory("identiguard-restored-").FullName;
        await RunScriptAsync("restore.sh", archive, fresh);

        // Without the keys the stored secret is unreadable: the backup's keys are what make it readable again.
        var protectedSecret = await ClientSecretProtectedAsync(fresh, tenantId);
        var keyless = DataProtectionProvider.Create(Directory.CreateTempSubdirectory("identiguard-nokeys-"), b => b.SetApplicationName("IdentiGuard"));
        Assert.ThrowsAny<CryptographicException>(() => new TenantSecrets(keyless).Unprotect(protectedSecret));

        await using var restored = await IdentiGuardApp.StartAsync(dataDirectory: fresh, port: port);
        await using (var scope = restored.Services.CreateAsyncScope())
            Assert.Equal(org.Okta.SeedClient.ClientSecret, scope.ServiceProvider.GetRequiredService<TenantSecrets>().Unprotect(protectedSecret));

        // The restored host checks Okta's hook secret (decrypted with the restored keys) and keeps alerting.
        var before = await AlertCountAsync(restored);
        await org.Okta.EmitAsync(Retarget(RedisClusterTests.SuperAdminGrant("backup-grant-2")));
        await org.Okta.WhenDeliveriesIdleAsync();
        await TestOrg.EventuallyAsync(() => AlertCountAsync(restored), n => n > before, TimeSpan.FromSeconds(30));
        Assert.True(await AlertCountAsync(restored) > before);
        Assert.DoesNotContain(restored.Logs.Lines, l => l.Contains("CryptographicException", StringComparison.Ordinal));
    }

    /// <summary>Another actor, so the new event raises a new alert rather than counting into the restored one.</summary>
    private static System.Text.Json.Nodes.JsonObject Retarget(System.Text.Json.Nodes.JsonObject e)
    {
        e["actor"]!["alternateId"] = "other.admin@acme.example";
        e["actor"]!["id"] = "00u9oth";
        return e;
    }

    private static async Task<int> GrantCountAsync(TestOrg org) => await AlertCountAsync(org.App);

    private static async Task<int> AlertCountAsync(IdentiGuardApp app)
        => (await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/alerts?take=200"))).GetProperty("items").GetArrayLength();

    private static async Task<string> ClientSecretProtectedAsync(string dataDirectory, Guid tenantId)
    {
        var options = new DbContextOptionsBuilder<IdentiGuardDbContext>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "identiguard.db")};Pooling=False").Options;
        await using var db = new IdentiGuardDbContext(options, new IdentiGuard.Server.Storage.WorkspaceScope());
        return await db.Tenants.IgnoreQueryFilters().Where(t => t.Id == tenantId).Select(t => t.ClientSecretProtected).SingleAsync();
    }

    internal static async Task RunScriptAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", script));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{script} exited {process.ExitCode}: {await output}{await error}");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IdentiGuard.slnx"))) return dir.FullName;
        throw new InvalidOperationException("The tests run outside the repository.");
    }
}
