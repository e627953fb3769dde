using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Detection;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Suppression;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Detection;

/// <summary>
/// Turns engine findings into alerts carrying the rule's metadata, the matching events as evidence and the explanation.
/// The engine's deterministic dedup key is the alert's unique group key, so a finding raised again after a replay
/// updates its alert instead of adding a second one. A finding a suppression entry matches is counted on its alert as
/// suppressed; an alert with only suppressed findings stays hidden.
/// </summary>
public sealed class DetectionAlerts(SuppressionMatcher suppressions, IOptions<AlertOptions> options, TimeProvider time)
{
    public async Task ApplyAsync(IdentiGuardDbContext db, Guid workspaceId, Guid tenantId, IReadOnlyList<Finding> findings, IReadOnlyList<StoredEvent> batch, CancellationToken ct)
    {
        if (findings.Count == 0) return;
        var now = time.GetUtcNow().UtcDateTime;
        var byUuid = batch.GroupBy(e => e.Uuid).ToDictionary(g => g.Key, g => g.First());
        var reachingBack = findings.Where(f => f.EventIds.Any(id => !byUuid.ContainsKey(id))).ToList();
        if (reachingBack.Count > 0)
        {
            // Evidence from earlier batches. A finding's events lie between its first and last seen, and bounding the
            // publish time lets the (tenant, published, uuid) index find them instead of reading the tenant's events.
            var missing = reachingBack.SelectMany(f => f.EventIds).Where(id => !byUuid.ContainsKey(id)).Distinct().ToList();
            var (from, to) = (reachingBack.Min(f => f.FirstSeen), reachingBack.Max(f => f.LastSeen));
            foreach (var e in await db.Events.AsNoTracking()
                .Where(e => e.TenantId == tenantId && e.Published >= from && e.Published <= to && missing.Contains(e.Uuid)).ToListAsync(ct))
                byUuid.TryAdd(e.Uuid, e);
        }
        var active = await suppressions.LoadAsync(db, workspaceId, tenantId, ct);

        // One query for the batch's findings (not one each); group keys are unique per tenant.
        var keys = findings.Select(f => Clip("rule:" + f.DedupKey, 400)).Distinct().ToList();
        var alerts = (await db.Alerts.IgnoreQueryFilters().Include(a => a.Events).Where(a => a.TenantId == tenantId && keys.Contains(a.GroupKey)).ToListAsync(ct))
            .ToDictionary(a => a.GroupKey, StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            var groupKey = Clip("rule:" + finding.DedupKey, 400);
            var evidence = finding.EventIds.Select(id => byUuid.GetValueOrDefault(id)).OfType<StoredEvent>().ToList();
            var suppressedBy = active.Match(finding.RuleId, evidence);
            var alert = alerts.GetValueOrDefault(groupKey);
            if (alert is null)
            {
                alert = new Alert
                {
                    Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, TenantId = tenantId, Kind = AlertKind.Detection, RuleId = finding.RuleId,
                    Title = Clip(finding.Title, 300), Severity = (AlertSeverity)(int)finding.Severity,
                    EventType = evidence.FirstOrDefault()?.EventType ?? "", Actor = Clip(ActorOf(finding, evidence), 200), GroupKey = groupKey,
                    FirstSeen = finding.FirstSeen, LastSeen = finding.LastSeen, CreatedAt = now,
                    IsHistorical = evidence.Count > 0 && evidence.All(e => e.Source == EventSource.Backfill), IsSuppressed = suppressedBy is not null,
                };
                db.Alerts.Add(alert);
                if (suppressedBy is not null) db.AlertHistory.Add(MonitoredEventAlerts.Suppressed(alert, suppressedBy, now));
                alerts[groupKey] = alert;
            }
            else
            {
                if (finding.FirstSeen < alert.FirstSeen) alert.FirstSeen = finding.FirstSeen;
                if (finding.LastSeen > alert.LastSeen) alert.LastSeen = finding.LastSeen;
                if ((int)finding.Severity > (int)alert.Severity) alert.Severity = (AlertSeverity)(int)finding.Severity;
            }
            if (suppressedBy is not null)
            {
                alert.SuppressedCount++;
                alert.SuppressionId = suppressedBy.Id;
            }
            else if (alert.IsSuppressed)
            {
                alert.IsSuppressed = false;
                db.AlertHistory.Add(Triage.AlertHistory.Entry(workspaceId, alert.Id, now, Triage.AlertHistory.SystemActor, "suppression.ended", "suppressed", "visible",
                    "The rule matched again outside every suppression entry."));
            }
            alert.Explanation = finding.Explanation;
            alert.References = JsonSerializer.Serialize(finding.References);
            alert.UpdatedAt = now;
            var known = alert.Events.Select(x => x.StoredEventId).ToHashSet();
            foreach (var e in evidence.Where(e => !known.Contains(e.Id)).Take(Math.Max(0, options.Value.MaxEvidencePerAlert - alert.Events.Count)))
                alert.Events.Add(new AlertEvent { AlertId = alert.Id, StoredEventId = e.Id });
            alert.Count = Math.Max(alert.Count, finding.EventIds.Count);
        }
    }

    /// <summary>The entity the finding is about: its group value, else the first event's actor.</summary>
    private static string ActorOf(Finding finding, IReadOnlyList<StoredEvent> evidence)
    {
        // Group keys read "field=value"; an empty value (a field the events lack) says nothing about who acted.
        var value = finding.GroupKey.Split('=', 2) is [_, var v] ? v : finding.GroupKey;
        if (!string.IsNullOrWhiteSpace(value)) return finding.GroupKey;
        return evidence.Select(MonitoredEventAlerts.ActorOf).FirstOrDefault() ?? "unknown";
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];
}
