using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Alerts;

/// <summary>
/// One tenant's monitored-event alerts that events may still join, keyed by event type and actor, with the number of
/// evidence rows each holds. Owned by the tenant's grain, the only writer of these alerts' grouping columns and
/// evidence, so what it holds stays true after each committed batch; a batch that fails discards the whole cache (the
/// grain drops its state). Each (type, actor) is read from the database once, then served from memory: before, every
/// batch re-read every open alert it touched and counted their evidence, the largest share of its queries.
/// </summary>
public sealed class OpenAlertCache
{
    /// <summary>Beyond this many keys the cache starts over rather than grow without bound (a key is a few hundred bytes).</summary>
    private const int MaxKeys = 50_000;

    private readonly Dictionary<(string Type, string Actor), Entry> entries = [];

    public sealed class Entry(DateTime loadedFrom)
    {
        /// <summary>Alerts of this key whose last event is at or after this were loaded; older ones were not.</summary>
        public DateTime LoadedFrom { get; } = loadedFrom;
        /// <summary>Loaded alerts, and those created since (the caller adds them).</summary>
        public List<Alert> Alerts { get; } = [];
    }

    /// <summary>Evidence rows per alert id, for every cached alert.</summary>
    public Dictionary<Guid, int> EvidenceCounts { get; } = [];

    /// <summary>The entries for every key of <paramref name="keys"/>, loading those not cached back to <paramref name="from"/>.</summary>
    public async Task<IReadOnlyDictionary<(string Type, string Actor), Entry>> CoverAsync(IdentiGuardDbContext db, Guid tenantId,
        IReadOnlyCollection<(string Type, string Actor)> keys, DateTime from, CancellationToken ct)
    {
        var missing = keys.Where(k => !entries.TryGetValue(k, out var e) || e.LoadedFrom > from).ToList();
        if (missing.Count == 0) return entries;
        if (entries.Count + missing.Count > MaxKeys)
        {
            Clear();
            missing = [.. keys];
        }
        await LoadAsync(db, tenantId, missing, from, ct);
        return entries;
    }

    private async Task LoadAsync(IdentiGuardDbContext db, Guid tenantId, List<(string Type, string Actor)> keys, DateTime from, CancellationToken ct)
    {
        // One query for the batch's new keys (types × actors may over-fetch a little; the keys sort it out).
        var types = keys.Select(k => k.Type).Distinct().ToList();
        var actors = keys.Select(k => k.Actor).Distinct().ToList();
        // Not tracked: the grouping columns are written by AlertWrites, one prepared statement for all of them.
        var loaded = await db.Alerts.IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.Kind == AlertKind.MonitoredEvent && types.Contains(a.EventType) && actors.Contains(a.Actor) && a.LastSeen >= from)
            .ToListAsync(ct);
        foreach (var key in keys)
        {
            // A reload replaces what was cached for the key: the loaded set is a superset of it.
            if (entries.TryGetValue(key, out var stale)) foreach (var alert in stale.Alerts) EvidenceCounts.Remove(alert.Id);
            entries[key] = new Entry(from);
        }
        var wanted = keys.ToHashSet();
        var added = new List<Guid>();
        foreach (var alert in loaded)
        {
            if (!wanted.Contains((alert.EventType, alert.Actor))) continue;
            entries[(alert.EventType, alert.Actor)].Alerts.Add(alert);
            added.Add(alert.Id);
        }
        // Evidence is only appended up to a cap: count it rather than load every alert's evidence rows.
        foreach (var chunk in added.Chunk(500))
        {
            var counts = await db.AlertEvents.Where(x => chunk.Contains(x.AlertId)).GroupBy(x => x.AlertId)
                .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            foreach (var id in chunk) EvidenceCounts[id] = 0;
            foreach (var c in counts) EvidenceCounts[c.Key] = c.Count;
        }
    }

    private void Clear()
    {
        entries.Clear();
        EvidenceCounts.Clear();
    }
}
