using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Suppression;
using IdentiGuard.Server.Triage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Alerts;

/// <summary>
/// Turns received events of monitored types into alerts grouped by tenant, event type and actor within the grouping
/// window: one row with a count and first/last seen, not one row per event. Events a suppression entry matches still
/// count (as suppressed); an alert that has only suppressed events stays hidden until a visible one arrives.
/// </summary>
public sealed class MonitoredEventAlerts(EventSeverityClassifier severities, EventTypeCatalog catalog, SuppressionMatcher suppressions, IOptions<AlertOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// Adds new alerts to <paramref name="db"/> and stages changes to existing ones and evidence in
    /// <paramref name="writes"/>; the caller saves both in one transaction, together with its cursor.
    /// </summary>
    public async Task ApplyAsync(IdentiGuardDbContext db, Guid workspaceId, Guid tenantId, IReadOnlyList<StoredEvent> events, AlertWrites writes, CancellationToken ct)
    {
        var window = options.Value.GroupingWindow;
        var now = time.GetUtcNow().UtcDateTime;
        if (events.Count == 0) return;
        // One query for the whole batch (not one per type and actor): every open alert any of its events may join.
        var types = events.Select(e => e.EventType).Distinct().ToList();
        var actors = events.Select(ActorOf).Distinct().ToList();
        var from = events.Min(e => e.Published) - window;
        // Not tracked: the columns grouping changes are written by AlertWrites, one prepared statement for all of them.
        var loaded = await db.Alerts.IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.Kind == AlertKind.MonitoredEvent && types.Contains(a.EventType) && actors.Contains(a.Actor) && a.LastSeen >= from)
            .ToListAsync(ct);
        var open = loaded.GroupBy(a => (Type: a.EventType, a.Actor)).ToDictionary(g => g.Key, g => g.ToList());
        // Evidence is only appended up to a cap: count it rather than load (and track) every alert's evidence rows.
        var loadedIds = loaded.Select(a => a.Id).ToList();
        var evidence = loadedIds.Count == 0 ? [] : await db.AlertEvents.Where(x => loadedIds.Contains(x.AlertId)).GroupBy(x => x.AlertId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var active = await suppressions.LoadAsync(db, workspaceId, tenantId, ct);
        var created = new HashSet<Alert>();

        foreach (var e in events)
        {
            var actor = ActorOf(e);
            if (!open.TryGetValue((e.EventType, actor), out var candidates))
            {
                candidates = [];
                open[(e.EventType, actor)] = candidates;
            }

            var alert = candidates.FirstOrDefault(a => e.Published >= a.FirstSeen - window && e.Published <= a.LastSeen + window);
            var suppressedBy = active.Match(e.EventType, [e]);
            if (alert is null)
            {
                alert = new Alert
                {
                    Id = Guid.NewGuid(), WorkspaceId = workspaceId, TenantId = tenantId, Kind = AlertKind.MonitoredEvent, RuleId = e.EventType,
                    Title = TitleFor(e), Severity = severities.Classify(e.EventType), EventType = e.EventType, Actor = actor,
                    GroupKey = $"event:{e.EventType}:{actor}:{e.Uuid}", FirstSeen = e.Published, LastSeen = e.Published, CreatedAt = now,
                    IsHistorical = e.Source == EventSource.Backfill, IsSuppressed = suppressedBy is not null,
                };
                db.Alerts.Add(alert);
                created.Add(alert);
                candidates.Add(alert);
                if (suppressedBy is not null) db.AlertHistory.Add(Suppressed(alert, suppressedBy, now));
            }
            else
            {
                // A new alert is inserted with its final values; only existing ones need their grouping columns written.
                if (!created.Contains(alert)) writes.Changed(alert);
                if (alert.IsSuppressed && suppressedBy is null)
                {
                    alert.IsSuppressed = false;
                    db.AlertHistory.Add(AlertHistory.Entry(workspaceId, alert.Id, now, AlertHistory.SystemActor, "suppression.ended", "suppressed", "visible",
                        "An event no suppression entry matches joined this alert."));
                }
                if (e.Published < alert.FirstSeen) alert.FirstSeen = e.Published;
                if (e.Published > alert.LastSeen) alert.LastSeen = e.Published;
            }
            alert.Count++;
            if (suppressedBy is not null)
            {
                alert.SuppressedCount++;
                alert.SuppressionId = suppressedBy.Id;
            }
            alert.UpdatedAt = now;
            var kept = evidence.GetValueOrDefault(alert.Id);
            if (kept < options.Value.MaxEvidencePerAlert)
            {
                writes.Evidence(new AlertEvent { AlertId = alert.Id, StoredEventId = e.Id });
                evidence[alert.Id] = kept + 1;
            }
        }
    }

    /// <summary>The history entry of an alert raised silenced (shared with detections).</summary>
    public static IdentiGuard.Data.Triage.AlertHistoryEntry Suppressed(Alert alert, IdentiGuard.Data.Suppression.SuppressionEntry entry, DateTime now) =>
        AlertHistory.Entry(alert.WorkspaceId, alert.Id, now, AlertHistory.SystemActor, "suppressed", null, entry.Id.ToString(),
            $"Silenced by a suppression entry until {entry.ExpiresAt:yyyy-MM-dd HH:mm} UTC: {entry.Reason}");

    public static string ActorOf(StoredEvent e)
    {
        var actor = e.ActorAlternateId ?? e.ActorId;
        return string.IsNullOrWhiteSpace(actor) ? "unknown" : actor.Length > 200 ? actor[..200] : actor;
    }

    private string TitleFor(StoredEvent e)
    {
        var displayMessage = (JsonNode.Parse(e.Json) as JsonObject)?["displayMessage"] is JsonValue v ? v.ToString() : null;
        if (!string.IsNullOrWhiteSpace(displayMessage)) return displayMessage.Length > 200 ? displayMessage[..200] : displayMessage;
        var description = catalog.Find(e.EventType)?.Description;
        if (string.IsNullOrWhiteSpace(description)) return e.EventType;
        var sentence = description.Split(". ")[0].TrimEnd('.');
        return sentence.Length > 200 ? sentence[..200] : sentence;
    }
}
