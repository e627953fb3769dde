using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Health;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Dashboard;

/// <summary>One bar of the alerts-over-time chart: alerts first seen in [Start, Start + bucket), per severity (indexed by <see cref="AlertSeverity"/>).</summary>
public sealed record SeverityBucket(DateTime Start, int[] BySeverity);

/// <summary>A row of a "top" list: what to filter by, what to show, how many alerts or events.</summary>
public sealed record RankedItem(string Key, string Label, int Count, AlertSeverity? MaxSeverity = null);

public sealed record CountrySignIns(string Country, int Successes, int Failures, int Users);

public sealed record TenantGlance(Guid Id, string Name, TenantStatus Status, HealthState? Health, string? HealthTitle, DateTime? LastDeliveryAt, int OpenDetections);

public sealed record DashboardView(
    DateTime From, DateTime To, TimeSpan Bucket, IReadOnlyList<SeverityBucket> Timeline, int Alerts, int Detections,
    IReadOnlyList<RankedItem> TopRules, IReadOnlyList<RankedItem> TopUsers, IReadOnlyList<RankedItem> TopIps,
    IReadOnlyList<CountrySignIns> Countries, int SignInsRead, bool SignInsCapped, IReadOnlyList<TenantGlance> Tenants);

/// <summary>
/// The workspace dashboard, inside the current workspace (the context's filter applies). Alerts and events are aggregated
/// from narrow projections; sign-in countries come from the newest <see cref="MaxSignIns"/> sign-ins of the period (the
/// country is inside the raw event).
/// </summary>
public sealed class DashboardQueries(IDbContextFactory<IdentiGuardDbContext> dbFactory, TenantHealthService health, TimeProvider time)
{
    public const int MaxSignIns = 5000;
    private const int MaxAlerts = 50_000;
    private const int TopCount = 10;

    /// <summary>Bar widths the timeline chooses from: the smallest that keeps the chart at most <see cref="MaxBuckets"/> bars.</summary>
    private static readonly TimeSpan[] BucketSizes =
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15),
         TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromDays(1)];
    private const int MaxBuckets = 24;

    public async Task<DashboardView> GetAsync(Guid workspaceId, TimeSpan period, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var since = now - period;
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        var alerts = await db.Alerts.AsNoTracking().Where(a => a.LastSeen >= since)
            .OrderByDescending(a => a.LastSeen).Take(MaxAlerts)
            .Select(a => new { a.Kind, a.RuleId, a.Title, a.Severity, a.Actor, a.FirstSeen, a.TenantId })
            .ToListAsync(ct);

        // The chart starts at the first alert of the period (a fresh demo spans two minutes, not a day of empty bars).
        var first = alerts.Count == 0 ? now : alerts.Min(a => a.FirstSeen < since ? since : a.FirstSeen);
        var bucket = BucketSizes.FirstOrDefault(b => (now - first) / b <= MaxBuckets, BucketSizes[^1]);
        var from = new DateTime(first.Ticks - first.Ticks % bucket.Ticks, DateTimeKind.Utc);
        var count = (int)Math.Max(1, Math.Ceiling((now - from) / bucket));
        var timeline = Enumerable.Range(0, count).Select(i => new SeverityBucket(from + bucket * i, new int[5])).ToList();
        foreach (var a in alerts)
        {
            var index = (int)Math.Clamp(((a.FirstSeen < from ? from : a.FirstSeen) - from) / bucket, 0, count - 1);
            timeline[index].BySeverity[(int)a.Severity]++;
        }

        var detections = alerts.Where(a => a.Kind == AlertKind.Detection).ToList();

        // Rules, users and addresses ranked by the evidence behind detections of Low severity and up: the events an
        // alert keeps (at most IdentiGuard:Alerts:MaxEvidencePerAlert each) name who acted and from where.
        var evidence = await db.Alerts.AsNoTracking().Where(a => a.Kind == AlertKind.Detection && a.LastSeen >= since && a.Severity >= AlertSeverity.Low)
            .Join(db.AlertEvents, a => a.Id, x => x.AlertId, (a, x) => new { a.RuleId, a.Title, a.Severity, x.StoredEventId })
            .Join(db.Events, x => x.StoredEventId, e => e.Id, (x, e) => new { x.RuleId, x.Title, x.Severity, e.Id, e.ActorAlternateId, e.ClientIp })
            .Take(MaxAlerts)
            .ToListAsync(ct);
        var topRules = Rank(evidence.GroupBy(x => x.RuleId), g => g.First().Title, g => g.Select(x => x.Id).Distinct().Count(), g => g.Max(x => x.Severity));
        var topUsers = Rank(evidence.Where(x => x.ActorAlternateId != null).GroupBy(x => x.ActorAlternateId!), g => g.Key,
            g => g.Select(x => x.Id).Distinct().Count(), g => g.Max(x => x.Severity));
        var topIps = Rank(evidence.Where(x => x.ClientIp != null).GroupBy(x => x.ClientIp!), g => g.Key,
            g => g.Select(x => x.Id).Distinct().Count(), g => g.Max(x => x.Severity));

        var signIns = await db.Events.AsNoTracking().Where(e => e.EventType == "user.session.start" && e.Published >= since)
            .OrderByDescending(e => e.Published).Take(MaxSignIns + 1)
            .Select(e => new { e.Json, e.OutcomeResult, e.ActorId })
            .ToListAsync(ct);
        var capped = signIns.Count > MaxSignIns;
        var countries = signIns.Take(MaxSignIns)
            .Select(e => new { Country = CountryOf(e.Json) ?? "Unknown", Success = e.OutcomeResult == "SUCCESS", e.ActorId })
            .GroupBy(e => e.Country)
            .Select(g => new CountrySignIns(g.Key, g.Count(e => e.Success), g.Count(e => !e.Success), g.Select(e => e.ActorId).Distinct().Count()))
            .OrderByDescending(c => c.Successes + c.Failures).ToList();

        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Name).Select(t => new { t.Id, t.Name, t.Status, t.LastDeliveryAt }).Take(50).ToListAsync(ct);
        var glances = new List<TenantGlance>();
        foreach (var t in tenants)
        {
            var h = t.Status == TenantStatus.Connected ? await health.GetAsync(workspaceId, t.Id, ct) : null;
            glances.Add(new TenantGlance(t.Id, t.Name, t.Status, h?.State, h?.Reasons.FirstOrDefault()?.Title, t.LastDeliveryAt,
                detections.Count(a => a.TenantId == t.Id)));
        }

        return new DashboardView(from, now, bucket, timeline, alerts.Count, detections.Count, topRules, topUsers, topIps,
            countries, Math.Min(signIns.Count, MaxSignIns), capped, glances);
    }

    private static List<RankedItem> Rank<T>(IEnumerable<IGrouping<string, T>> groups, Func<IGrouping<string, T>, string> label,
        Func<IGrouping<string, T>, int> count, Func<IGrouping<string, T>, AlertSeverity> severity)
        => groups.Select(g => new RankedItem(g.Key, label(g), count(g), severity(g)))
            .OrderByDescending(r => r.MaxSeverity).ThenByDescending(r => r.Count).ThenBy(r => r.Key, StringComparer.Ordinal).Take(TopCount).ToList();

    private static string? CountryOf(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("client", out var client) && client.ValueKind == JsonValueKind.Object
                && client.TryGetProperty("geographicalContext", out var geo) && geo.ValueKind == JsonValueKind.Object
                && geo.TryGetProperty("country", out var country) && country.ValueKind == JsonValueKind.String
                ? country.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
