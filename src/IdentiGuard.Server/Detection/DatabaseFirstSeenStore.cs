using IdentiGuard.Data;
using IdentiGuard.Data.Detection;
using IdentiGuard.Detection;
using IdentiGuard.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Detection;

/// <summary>
/// First-seen history for one tenant: loaded once when the tenant's grain activates, kept in memory for the engine,
/// and written back (changed entries only) in the same transaction as the alerts and the processing cursor.
/// </summary>
/// <remarks>
/// Every sighting of a known value moves its LastSeen, which a busy tenant does hundreds of times a batch. The stored
/// LastSeen is only moved once it lags by <see cref="LastSeenPrecision"/>: memory stays exact, and after a restart a
/// value may look up to a minute older than it is, against histories of a day or more. New values and earlier
/// FirstSeen times are always written.
/// </remarks>
internal sealed class DatabaseFirstSeenStore(Guid tenantId) : IFirstSeenStore
{
    public static readonly TimeSpan LastSeenPrecision = TimeSpan.FromMinutes(1);

    private readonly Dictionary<(string, string, string), FirstSeenEntry> entries = [];
    private readonly HashSet<(string, string, string)> dirty = [];
    /// <summary>What the database holds for each stored key.</summary>
    private readonly Dictionary<(string, string, string), (DateTime FirstSeen, DateTime LastSeen)> stored = [];

    public async Task LoadAsync(IdentiGuardDbContext db, CancellationToken ct)
    {
        var rows = await db.FirstSeenValues.AsNoTracking().Where(f => f.TenantId == tenantId).ToListAsync(ct);
        foreach (var row in rows)
        {
            var key = (row.RuleId, row.Entity, row.Value);
            entries[key] = new FirstSeenEntry(row.RuleId, row.Entity, row.Value, row.FirstSeen, row.LastSeen);
            stored[key] = (row.FirstSeen, row.LastSeen);
        }
    }

    public FirstSeenEntry? Get(string ruleId, string entity, string value) => entries.GetValueOrDefault((ruleId, entity, value));

    public void Put(FirstSeenEntry entry)
    {
        var key = (entry.RuleId, entry.Entity, entry.Value);
        entries[key] = entry;
        if (stored.TryGetValue(key, out var saved) && entry.FirstSeen == saved.FirstSeen && entry.LastSeen - saved.LastSeen < LastSeenPrecision) return;
        dirty.Add(key);
    }

    private static readonly string[] Keys = [nameof(FirstSeenValue.TenantId), nameof(FirstSeenValue.RuleId), nameof(FirstSeenValue.Entity), nameof(FirstSeenValue.Value)];
    private static readonly string[] Times = [nameof(FirstSeenValue.FirstSeen), nameof(FirstSeenValue.LastSeen)];

    /// <summary>
    /// Writes the changed entries in the caller's transaction. Every busy batch touches hundreds of them (each sighting
    /// moves LastSeen), so they go through two prepared statements rather than an EF statement each, which SQLite
    /// parsed one by one while holding its write lock.
    /// </summary>
    public async Task SaveAsync(IdentiGuardDbContext db, CancellationToken ct)
    {
        var added = new List<FirstSeenValue>();
        var updated = new List<FirstSeenValue>();
        foreach (var key in dirty)
        {
            var e = entries[key];
            var row = new FirstSeenValue { TenantId = tenantId, RuleId = Clip(e.RuleId), Entity = Clip(e.Entity), Value = Clip(e.Value), FirstSeen = e.FirstSeen, LastSeen = e.LastSeen };
            (stored.ContainsKey(key) ? updated : added).Add(row);
        }
        await PreparedRows.InsertAsync(db, added, [.. Keys, .. Times], ct);
        await PreparedRows.UpdateAsync(db, updated, Keys, Times, ct);
    }

    /// <summary>After a successful save, the staged entries are stored.</summary>
    public void Committed()
    {
        foreach (var key in dirty) stored[key] = (entries[key].FirstSeen, entries[key].LastSeen);
        dirty.Clear();
    }

    private static string Clip(string s) => s.Length <= 400 ? s : s[..400];
}
