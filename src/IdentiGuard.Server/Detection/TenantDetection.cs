using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Detection;
using IdentiGuard.Server.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Detection;

/// <summary>
/// One tenant's detection state, owned by its grain. Built from the database: first-seen history is loaded, and the
/// stored events of the recent window that were already processed are replayed (their findings were saved before),
/// so a restart or a move to another host neither loses nor repeats an alert.
/// </summary>
public sealed class TenantDetection(Guid tenantId, WorkspaceRuleSet rules, TimeProvider time, string? ownClientId = null)
{
    /// <summary>Correlation windows are short; first-seen history is loaded from the database, not replayed.</summary>
    private static readonly TimeSpan MaxReplay = TimeSpan.FromDays(2);

    private readonly DatabaseFirstSeenStore firstSeen = new(tenantId);
    private TenantDetector? detector;

    public long RulesVersion => rules.Version;

    /// <summary>The tenant's open monitored-event alerts, kept with the rest of its processing state.</summary>
    public OpenAlertCache OpenAlerts { get; } = new();

    public async Task EnsureReadyAsync(IdentiGuardDbContext db, long processedCursor, CancellationToken ct)
    {
        if (detector is not null) return;
        await firstSeen.LoadAsync(db, ct);
        var built = new TenantDetector(rules.Pack, rules.Settings, time, firstSeen);

        var replay = rules.Pack.LongestWindow < MaxReplay ? rules.Pack.LongestWindow : MaxReplay;
        var latest = await db.Events.AsNoTracking().Where(e => e.TenantId == tenantId && e.Id <= processedCursor)
            .MaxAsync(e => (DateTime?)e.Published, ct);
        if (latest is { } last)
        {
            var from = last - replay;
            var history = db.Events.AsNoTracking()
                .Where(e => e.TenantId == tenantId && e.Id <= processedCursor && e.Published >= from)
                // IdentiGuard's own actions were kept out of detection when processed; keep them out of the replay too.
                .Where(e => ownClientId == null || e.ActorId == null || e.ActorId != ownClientId)
                .OrderBy(e => e.Published).ThenBy(e => e.Id)
                .Select(e => new { e.Uuid, e.Published, e.Json })
                .AsAsyncEnumerable();
            await foreach (var e in history.WithCancellation(ct))
            {
                using var ev = Parse(e.Json, e.Uuid, e.Published);
                built.Observe(ev);
            }
        }
        detector = built;
    }

    /// <summary>Parses a stored event for <see cref="Observe"/>; dispose it afterwards (it holds pooled buffers).</summary>
    public static OktaEvent Parse(StoredEvent e) => Parse(e.Json, e.Uuid, e.Published);

    /// <summary>Runs the events through every rule; the caller stores the findings and then calls <see cref="SaveStateAsync"/>.</summary>
    public IReadOnlyList<Finding> Observe(IReadOnlyList<OktaEvent> events)
    {
        var findings = new List<Finding>();
        foreach (var e in events) findings.AddRange(detector!.Observe(e));
        // Absence rules ("A and no B within T") fire when event time passes their deadline.
        findings.AddRange(detector!.Flush(detector.Watermark));
        return findings;
    }

    /// <summary>Writes the changed first-seen history in the caller's transaction.</summary>
    public Task SaveStateAsync(IdentiGuardDbContext db, CancellationToken ct) => firstSeen.SaveAsync(db, ct);

    public void Committed() => firstSeen.Committed();

    private static OktaEvent Parse(string json, string uuid, DateTime published) => OktaEvent.Parse(json, uuid, published);
}
