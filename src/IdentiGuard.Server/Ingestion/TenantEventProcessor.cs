using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Detection;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Detection;
using IdentiGuard.Server.Response;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using IdentiGuard.Server.Storage;
using IdentiGuard.Server.Telemetry;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Tenants;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Ingestion;

/// <summary>
/// The tenant grain's work, as a plain class: processes every stored event past the tenant's cursor in insertion
/// order (monitored-event alerts, then every detection rule), and saves the alerts, the first-seen history and the
/// advanced cursor in one transaction, so a crash neither loses nor repeats an event.
/// </summary>
public sealed class TenantEventProcessor(IServiceScopeFactory scopes, MonitoredEventAlerts monitored, DetectionAlerts detections,
    WorkspaceRules rules, AlertFeed feed, OwnOktaActions ownActions, WriteTurns turns, TimeProvider time, IdentiGuardMetrics metrics)
{
    /// <summary>
    /// Events per transaction: a batch starts small, so a quiet tenant's alert is saved at once, and doubles while a
    /// backlog fills it, so the fixed cost of a batch (its queries and its durable commit) is shared by more events.
    /// The ceiling keeps the save (alerts, evidence, first-seen state) holding SQLite's single write lock briefly,
    /// since hook deliveries wait for it to be acknowledged.
    /// </summary>
    private const int FirstBatch = 100, MaxBatch = 800;

    /// <summary>One call processes at most this many events, so a backlog never holds the grain past a call timeout.</summary>
    public const int MaxEventsPerCall = 10_000;

    private static readonly string[] CursorColumns = [nameof(Tenant.ProcessedEventCursor), nameof(Tenant.LastDeliveryAt)];

    /// <param name="detection">The grain's detection state; replaced when missing or when the workspace's rules changed.</param>
    /// <returns>How many events were processed; <see cref="MaxEventsPerCall"/> means more may be pending.</returns>
    public async Task<int> ProcessPendingAsync(Guid tenantId, StrongBox<TenantDetection?> detection, CancellationToken ct)
    {
        var total = 0;
        var batchSize = FirstBatch;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            // One connection for the batch's dozen commands rather than one pooled open and close each.
            await db.Database.OpenConnectionAsync(ct);
            // Not tracked: only the cursor columns change (written below), and tracking the row meant snapshotting and
            // comparing its monitored event types (every type with Select All) on every batch.
            var tenant = await db.Tenants.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, ct);
            if (tenant is null) return total;
            scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(tenant.WorkspaceId);

            if (total >= MaxEventsPerCall) return total;
            var settled = await SettledEvents.UpperBoundAsync(db, ct);
            var phase = Stopwatch.GetTimestamp();
            var batch = await db.Events.AsNoTracking()
                .Where(e => e.TenantId == tenantId && e.Id > tenant.ProcessedEventCursor && e.Id <= settled)
                .OrderBy(e => e.Id).Take(batchSize).ToListAsync(ct);
            if (batch.Count == 0) return total;

            var ruleSet = await rules.GetAsync(tenant.WorkspaceId, ct);
            if (detection.Value is null || detection.Value.RulesVersion != ruleSet.Version)
            {
                var fresh = new TenantDetection(tenantId, ruleSet, time, tenant.ClientId);
                await fresh.EnsureReadyAsync(db, tenant.ProcessedEventCursor, ct);
                detection.Value = fresh;
            }

            using var span = IdentiGuardMetrics.Tracing.StartActivity("tenant.process");
            span?.SetTag("identiguard.batch.events", batch.Count);
            var monitoredTypes = tenant.EventTypes.ToHashSet(StringComparer.Ordinal);
            // Each event is parsed once, for the own-action check and for the rules.
            var parsed = batch.Select(e => new ParsedEvent(e, TenantDetection.Parse(e))).ToList();
            IReadOnlyList<StoredEvent> others;
            IReadOnlyList<Finding> findings;
            bool alerted;
            var alertWrites = new AlertWrites();
            try
            {
                // What IdentiGuard itself did in Okta (hook changes, response actions) is never suspicious activity.
                var kept = await ownActions.WithoutOwnAsync(db, tenant, parsed, ct);
                others = kept.Select(k => k.Stored).ToList();
                // Hook deliveries carry only subscribed types (or Preview samples, which Okta labels with a subscribed type).
                var toAlert = others.Where(e => e.Source is EventSource.Hook or EventSource.Preview || monitoredTypes.Contains(e.EventType)).ToList();
                alerted = toAlert.Count > 0;
                phase = metrics.ProcessingPhase("load", phase);
                await monitored.ApplyAsync(db, tenant.WorkspaceId, tenantId, toAlert, alertWrites, detection.Value.OpenAlerts, ct);
                phase = metrics.ProcessingPhase("monitored_alerts", phase);
                findings = detection.Value.Observe(kept.Select(k => k.Event).ToList());
                phase = metrics.ProcessingPhase("detect", phase);
            }
            finally
            {
                foreach (var e in parsed) e.Event.Dispose(); // returns the parser's pooled buffers
            }
            await detections.ApplyAsync(db, tenant.WorkspaceId, tenantId, findings, others, ct);
            phase = metrics.ProcessingPhase("detection_alerts", phase);

            tenant.ProcessedEventCursor = batch[^1].Id;
            var lastHook = batch.Where(e => e.Source == EventSource.Hook).Select(e => (DateTime?)e.ReceivedAt).Max();
            if (lastHook > tenant.LastDeliveryAt || tenant.LastDeliveryAt is null && lastHook is not null) tenant.LastDeliveryAt = lastHook;
            var detectionAlertsRaised = db.ChangeTracker.Entries<Alert>().Count(a => a.State == EntityState.Added);
            using (await turns.TakeAsync(WriteTurns.Writer.Processing))
            await using (var transaction = await db.Database.BeginTransactionAsync(ct))
            {
                // Waiting for the database's write lock (SQLite has one, taken in turns with hook commits) is its own phase.
                phase = metrics.ProcessingPhase("write_lock", phase);
                await alertWrites.SaveAsync(db, ct);
                await db.SaveChangesAsync(ct);
                await PreparedRows.UpdateAsync(db, [tenant], [nameof(Tenant.Id)], CursorColumns, ct);
                await detection.Value.SaveStateAsync(db, ct);
                await transaction.CommitAsync(ct);
            }
            detection.Value.Committed();
            metrics.ProcessingPhase("save", phase);
            var committedAt = time.GetUtcNow().UtcDateTime;
            metrics.EventsProcessed(batch.Count, batch.Select(e => committedAt - e.ReceivedAt));
            metrics.AlertsRaised("monitored_event", alertWrites.CreatedCount);
            metrics.AlertsRaised("detection", detectionAlertsRaised);
            total += batch.Count;
            if (alerted || findings.Count > 0) feed.Publish(tenant.WorkspaceId);
            // A batch that was not full took everything pending; events stored since then notify the grain again.
            if (batch.Count < batchSize) return total;
            batchSize = Math.Min(MaxBatch, batchSize * 2);
        }
    }
}
