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
    /// Stages new alerts, changes to existing ones and evidence in <paramref name="writes"/>, and history entries in
    /// <paramref name="db"/>; the caller saves both in one transaction, together with its cursor. The open alerts come
    /// from the tenant's <paramref name="cache"/>, which this updates as it goes (the caller discards it if the save fails).
    /// </summary>
    public async Task ApplyAsync(IdentiGuardDbContext db, Guid workspaceId, Guid tenantId, IReadOnlyList<StoredEvent> events, AlertWrites writes,
        OpenAlertCache cache, CancellationToken ct)
    {
        var window = options.Value.GroupingWindow;
        var now = time.GetUtcNow().UtcDateTime;
        if (events.Count == 0) return;
        var keys = events.Select(e => (e.EventType, ActorOf(e))).ToHashSet();
        var open = await cache.CoverAsync(db, tenantId, keys, events.Min(e => e.Published) - window, ct);
        var evidence = cache.EvidenceCounts;
        var active = await suppressions.LoadAsync(db, workspaceId, tenantId, ct);

        foreach (var e in events)
        {
            var actor = ActorOf(e);
            var candidates = open[(e.EventType, actor)].Alerts;

            var alert = candidates.FirstOrDefault(a => e.Published >= a.FirstSeen - window && e.Published <= a.LastSeen + window);
            var suppressedBy = active.Match(e.EventType, [e]);
            if (alert is null)
            {
                alert = new Alert
                {
                    Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, TenantId = tenantId, Kind = AlertKind.MonitoredEvent, RuleId = e.EventType,
                    Title = TitleFor(e), Severity = severities.Classify(e.EventType), EventType = e.EventType, Actor = actor,
                    GroupKey = $"event:{e.EventType}:{actor}:{e.Uuid}", FirstSeen = e.Published, LastSeen = e.Published, CreatedAt = now,
                    IsHistorical = e.Source == EventSource.Backfill, IsSuppressed = suppressedBy is not null,
                };
                writes.Created(alert);
                candidates.Add(alert);
                if (suppressedBy is not null) db.AlertHistory.Add(Suppressed(alert, suppressedBy, now));
            }
            else
            {
                writes.Changed(alert);
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
