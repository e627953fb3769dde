using IdentiGuard.Data;
using IdentiGuard.Detection;
using IdentiGuard.Server.Detection;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Detection;

/// <summary>
/// First-seen history survives a restart: new values and earlier first sightings are always written, and a value's
/// LastSeen is written once it moved by the store's precision (a minute), not on every sighting.
/// </summary>
public sealed class FirstSeenPersistenceTests
{
    private static readonly DateTime T0 = new(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task StoredHistory_KeepsNewValuesAndFirstSightings_AndLastSeenToTheMinute()
    {
        await using var org = await TestOrg.StartAsync();
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        var store = await LoadedAsync(org, tenantId);
        store.Put(Entry("203.0.113.7", T0, T0));
        store.Put(Entry("198.51.100.9", T0, T0));
        await SaveAsync(org, store);
        Assert.Equal([("198.51.100.9", T0, T0), ("203.0.113.7", T0, T0)], await StoredAsync(org, tenantId));

        // Sightings within the minute stay in memory only; the engine still sees them.
        store.Put(Entry("203.0.113.7", T0, T0.AddSeconds(59)));
        Assert.Equal(T0.AddSeconds(59), store.Get("rule", "ada@acme.com", "203.0.113.7")!.LastSeen);
        await SaveAsync(org, store);
        Assert.Equal([("198.51.100.9", T0, T0), ("203.0.113.7", T0, T0)], await StoredAsync(org, tenantId));

        // A minute on, LastSeen is written; an earlier first sighting is written at once.
        store.Put(Entry("203.0.113.7", T0, T0.AddMinutes(1)));
        store.Put(Entry("198.51.100.9", T0.AddSeconds(-5), T0));
        await SaveAsync(org, store);
        Assert.Equal([("198.51.100.9", T0.AddSeconds(-5), T0), ("203.0.113.7", T0, T0.AddMinutes(1))], await StoredAsync(org, tenantId));

        // A store loaded afresh (the grain moved or the host restarted) starts from what was written.
        var reloaded = await LoadedAsync(org, tenantId);
        Assert.Equal(T0.AddMinutes(1), reloaded.Get("rule", "ada@acme.com", "203.0.113.7")!.LastSeen);
        reloaded.Put(Entry("203.0.113.7", T0, T0.AddMinutes(1).AddSeconds(30)));
        await SaveAsync(org, reloaded);
        Assert.Equal(T0.AddMinutes(1), (await StoredAsync(org, tenantId)).Single(r => r.Value == "203.0.113.7").LastSeen);
    }

    private static FirstSeenEntry Entry(string ip, DateTime first, DateTime last) => new("rule", "ada@acme.com", ip, first, last);

    private static async Task<DatabaseFirstSeenStore> LoadedAsync(TestOrg org, Guid tenantId)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var store = new DatabaseFirstSeenStore(tenantId);
        await store.LoadAsync(scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>(), CancellationToken.None);
        return store;
    }

    private static async Task SaveAsync(TestOrg org, DatabaseFirstSeenStore store)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await store.SaveAsync(db, CancellationToken.None);
            await transaction.CommitAsync();
        }
        store.Committed();
    }

    private static async Task<List<(string Value, DateTime FirstSeen, DateTime LastSeen)>> StoredAsync(TestOrg org, Guid tenantId)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().FirstSeenValues.IgnoreQueryFilters().AsNoTracking()
            .Where(f => f.TenantId == tenantId).OrderBy(f => f.Value).ToListAsync();
        return rows.Select(r => (r.Value, r.FirstSeen, r.LastSeen)).ToList();
    }
}
