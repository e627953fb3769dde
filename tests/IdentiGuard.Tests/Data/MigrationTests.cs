using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Notifications;
using IdentiGuard.Data.Polling;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Storage;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentiGuard.Tests.Data;

/// <summary>The SQLite and PostgreSQL migration assemblies stay in step with each other and with the model.</summary>
public sealed class MigrationTests
{
    private static string NameOf(string migrationId) => migrationId[(migrationId.IndexOf('_') + 1)..];

    [Fact]
    public void BothProviders_HaveTheSameMigrations_InTheSameOrder()
    {
        using var sqlite = MigrationDatabase.Offline(DatabaseProvider.Sqlite);
        using var postgres = MigrationDatabase.Offline(DatabaseProvider.PostgreSql);
        var sqliteNames = sqlite.Database.GetMigrations().Select(NameOf).ToList();
        var postgresNames = postgres.Database.GetMigrations().Select(NameOf).ToList();
        Assert.NotEmpty(sqliteNames);
        Assert.Equal(sqliteNames, postgresNames);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void TheModel_HasNoChangesMissingAMigration(DatabaseProvider provider)
    {
        using var db = MigrationDatabase.Offline(provider);
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model has changes without a {provider} migration: run scripts/add-migration.sh <Name>.");
    }

    [Fact]
    public Task Sqlite_UpgradeFromThePreviousMigration_KeepsTheData() => UpgradeKeepsDataAsync(DatabaseProvider.Sqlite);

    [PostgresFact]
    public Task PostgreSql_UpgradeFromThePreviousMigration_KeepsTheData() => UpgradeKeepsDataAsync(DatabaseProvider.PostgreSql);

    private static async Task UpgradeKeepsDataAsync(DatabaseProvider provider)
    {
        await using var db = await MigrationDatabase.FreshAsync(provider);
        var migrations = db.Database.GetMigrations().ToList();
        Assert.True(migrations.Count >= 2, "An upgrade needs at least two migrations.");
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(migrations[^2]);
        Assert.Equal(migrations[..^1], await db.Database.GetAppliedMigrationsAsync());

        // Representative rows of the previous schema: a workspace with a connected tenant, its events, an alert with
        // evidence, skipped by the dispatcher as suppressed, an activity entry and a poll checkpoint.
        var now = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = "Upgrade", CreatedAt = now };
        var tenant = new Tenant
        {
            Id = Guid.NewGuid(), WorkspaceId = workspace.Id, Name = "acme.okta.com", DomainUrl = "https://acme.okta.com", ClientId = "0oa-upgrade",
            ClientSecretProtected = "CfDJ8-protected-client-secret", HookSecretProtected = "CfDJ8-protected-hook-secret",
            EventTypes = ["user.session.start", "user.mfa.factor.deactivate"], Status = TenantStatus.Connected, CreatedAt = now, UpdatedAt = now,
        };
        var events = Enumerable.Range(1, 3).Select(i => new StoredEvent
        {
            Id = i, WorkspaceId = workspace.Id, TenantId = tenant.Id, Uuid = $"upgrade-{i}", EventType = "user.session.start", Published = now.AddSeconds(i),
            ReceivedAt = now.AddSeconds(i + 1), Source = EventSource.Hook, ActorId = "00u1", ActorAlternateId = "alice@acme.com", ClientIp = "198.51.100.7",
            OutcomeResult = "SUCCESS", Json = $"{{\"uuid\":\"upgrade-{i}\"}}",
        }).ToList();
        var alert = new Alert
        {
            Id = Guid.NewGuid(), WorkspaceId = workspace.Id, TenantId = tenant.Id, Kind = AlertKind.Detection, RuleId = "okta-mfa-push-fatigue",
            Title = "MFA push fatigue", Severity = AlertSeverity.High, EventType = "user.session.start", Actor = "alice@acme.com", GroupKey = "alice",
            Count = 3, FirstSeen = now, LastSeen = now.AddSeconds(3), CreatedAt = now, UpdatedAt = now,
        };
        var activity = new ActivityEntry { Id = 1, WorkspaceId = workspace.Id, TenantId = tenant.Id, At = now, Action = "tenant.created", Outcome = ActivityOutcome.Success, Message = "Added.", OktaRequestId = "req-1" };
        var checkpoint = new PollCheckpoint { TenantId = tenant.Id, StartAt = now, NextUrl = "https://acme.okta.com/api/v1/logs?after=x", FencingToken = 4, EventsPolled = 3, UpdatedAt = now };

        await MigrationDatabase.InsertAsync(db, workspace);
        await MigrationDatabase.InsertAsync(db, tenant);
        foreach (var e in events) await MigrationDatabase.InsertAsync(db, e);
        await MigrationDatabase.InsertAsync(db, alert);
        foreach (var e in events) await MigrationDatabase.InsertAsync(db, new AlertEvent { AlertId = alert.Id, StoredEventId = e.Id });
        var dispatch = new AlertDispatch { AlertId = alert.Id, WorkspaceId = workspace.Id, DispatchedAt = now, SkippedReason = $"suppressed (suppression {Guid.NewGuid()})" };
        await MigrationDatabase.InsertAsync(db, dispatch);
        await MigrationDatabase.InsertAsync(db, activity);
        await MigrationDatabase.InsertAsync(db, checkpoint);

        await migrator.MigrateAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        db.ChangeTracker.Clear();

        var storedTenant = await db.Tenants.IgnoreQueryFilters().AsNoTracking().SingleAsync();
        Assert.Equal((tenant.Name, tenant.ClientId, tenant.ClientSecretProtected, tenant.HookSecretProtected, tenant.Status),
            (storedTenant.Name, storedTenant.ClientId, storedTenant.ClientSecretProtected, storedTenant.HookSecretProtected, storedTenant.Status));
        Assert.Equal(tenant.EventTypes, storedTenant.EventTypes);
        Assert.Equal("Upgrade", (await db.Workspaces.AsNoTracking().SingleAsync()).Name);
        var storedEvents = await db.Events.IgnoreQueryFilters().AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(events.Select(e => (e.Uuid, e.Json, e.Published)), storedEvents.Select(e => (e.Uuid, e.Json, e.Published)));
        var storedAlert = await db.Alerts.IgnoreQueryFilters().AsNoTracking().Include(a => a.Events).SingleAsync();
        Assert.Equal((alert.RuleId, alert.Severity, alert.Count, alert.LastSeen), (storedAlert.RuleId, storedAlert.Severity, storedAlert.Count, storedAlert.LastSeen));
        Assert.Equal(3, storedAlert.Events.Count);
        var storedDispatch = await db.AlertDispatches.IgnoreQueryFilters().AsNoTracking().SingleAsync();
        Assert.Equal((dispatch.AlertId, dispatch.SkippedReason), (storedDispatch.AlertId, storedDispatch.SkippedReason));
        Assert.Equal("req-1", (await db.Activity.IgnoreQueryFilters().AsNoTracking().SingleAsync()).OktaRequestId);
        var storedCheckpoint = await db.PollCheckpoints.AsNoTracking().SingleAsync();
        Assert.Equal((checkpoint.NextUrl, checkpoint.FencingToken), (storedCheckpoint.NextUrl, storedCheckpoint.FencingToken));

        // The upgraded database takes new rows through the current model (an explicit id: the rows above set theirs, so
        // PostgreSQL's identity sequence has not moved).
        db.Events.Add(new StoredEvent { Id = 100, WorkspaceId = workspace.Id, TenantId = tenant.Id, Uuid = "after-upgrade", EventType = "user.session.start", Json = "{}" });
        await db.SaveChangesAsync();

        // Events are keyed by tenant, publish time and uuid: a stored uuid at another time is another event, at the same
        // time a duplicate the index refuses.
        StoredEvent Upgrade1At(long id, DateTime published) => new()
        {
            Id = id, WorkspaceId = workspace.Id, TenantId = tenant.Id, Uuid = "upgrade-1", EventType = "user.session.start", Published = published, Json = "{}",
        };
        db.Events.Add(Upgrade1At(101, now.AddHours(1)));
        await db.SaveChangesAsync();
        db.Events.Add(Upgrade1At(102, events[0].Published));
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}
