using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Events;

public sealed record EventSearch(string? Filter = null, Guid? TenantId = null, DateTime? Since = null, DateTime? Until = null, int Skip = 0, int Take = 50);

public sealed record EventSummary(long Id, string Uuid, Guid TenantId, string TenantName, string EventType, DateTime Published, DateTime ReceivedAt,
    EventSource Source, string? Actor, string? ClientIp, string? Outcome, string? DisplayMessage);

/// <summary>
/// One page of events, newest first. <see cref="Total"/> is known only without a filter; with one, the stored events are
/// scanned newest first and <see cref="ScanCapped"/> says the scan stopped at <see cref="EventQueries.MaxScan"/> rows
/// (narrow the time range to look further back).
/// </summary>
public sealed record EventPage(IReadOnlyList<EventSummary> Items, int Skip, int Take, bool HasMore, int? Total, int Scanned, bool ScanCapped, string? Message);

public sealed record EventDetail(EventSummary Summary, JsonElement Event);

/// <summary>Event reads for the explorer, inside the current workspace (the context's query filter applies).</summary>
public sealed class EventQueries(IDbContextFactory<IdentiGuardDbContext> dbFactory)
{
    public const int MaxScan = 20_000;
    private const int Chunk = 500;

    /// <exception cref="OktaFilterException">The filter is not valid.</exception>
    public async Task<EventPage> SearchAsync(EventSearch search, CancellationToken ct = default)
    {
        var filter = OktaFilter.Parse(search.Filter);
        var skip = Math.Max(0, search.Skip);
        var take = Math.Clamp(search.Take, 1, 500);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenantNames = await db.Tenants.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var events = db.Events.AsNoTracking();
        if (search.TenantId is { } tenantId) events = events.Where(e => e.TenantId == tenantId);
        if (search.Since is { } since) { var s = ToUtc(since); events = events.Where(e => e.Published >= s); }
        if (search.Until is { } until) { var u = ToUtc(until); events = events.Where(e => e.Published <= u); }

        if (filter is null)
        {
            var total = await events.CountAsync(ct);
            var rows = await events.OrderByDescending(e => e.Published).ThenByDescending(e => e.Id).Skip(skip).Take(take).ToListAsync(ct);
            var items = rows.Select(r => Summarize(r, tenantNames, null)).ToList();
            return new EventPage(items, skip, take, skip + items.Count < total, total, items.Count, false, null);
        }

        events = Narrow(events, filter);
        var found = new List<EventSummary>(take);
        var matched = 0;
        var scanned = 0;
        var hasMore = false;
        DateTime? lastPublished = null;
        long lastId = 0;
        var exhausted = false;
        while (!hasMore && scanned < MaxScan)
        {
            var query = events;
            if (lastPublished is { } lp)
            {
                var id = lastId;
                query = query.Where(e => e.Published < lp || (e.Published == lp && e.Id < id));
            }
            var size = Math.Min(Chunk, MaxScan - scanned);
            var chunk = await query.OrderByDescending(e => e.Published).ThenByDescending(e => e.Id).Take(size).ToListAsync(ct);
            foreach (var row in chunk)
            {
                scanned++;
                lastPublished = row.Published;
                lastId = row.Id;
                if (!TryMatch(filter, row.Json, out var displayMessage)) continue;
                if (matched++ < skip) continue;
                if (found.Count == take)
                {
                    hasMore = true;
                    break;
                }
                found.Add(Summarize(row, tenantNames, displayMessage));
            }
            if (chunk.Count < size) { exhausted = true; break; }
        }
        var capped = !hasMore && !exhausted && scanned >= MaxScan;
        return new EventPage(found, skip, take, hasMore, null, scanned, capped,
            capped ? $"Stopped after scanning {MaxScan:N0} events; narrow the time range or the filter (eventType, actor.id, actor.alternateId, client.ipAddress, outcome.result or uuid) to look further back." : null);
    }

    public async Task<EventDetail?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (row is null) return null;
        var tenantNames = await db.Tenants.AsNoTracking().Where(t => t.Id == row.TenantId).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        JsonElement json;
        try
        {
            json = JsonSerializer.Deserialize<JsonElement>(row.Json);
        }
        catch (JsonException)
        {
            json = JsonSerializer.SerializeToElement(row.Json);
        }
        var message = json.ValueKind == JsonValueKind.Object ? DisplayMessage(json) : null;
        return new EventDetail(Summarize(row, tenantNames, message), json);
    }

    /// <summary>
    /// Pushes the top-level conjunctions on extracted columns into SQL. Every predicate added is implied by the filter
    /// matching the JSON (never narrower), so the in-memory evaluation stays the judge.
    /// </summary>
    internal static IQueryable<StoredEvent> Narrow(IQueryable<StoredEvent> events, FilterNode node)
    {
        switch (node)
        {
            case AndNode and:
                return Narrow(Narrow(events, and.Left), and.Right);
            case CompareNode { Operator: FilterOperator.Eq, Value: { Kind: LiteralKind.String, Text: { } value } } c:
                return Column(c.Path) switch
                {
                    "eventType" => events.Where(e => e.EventType == value),
                    "outcome.result" => events.Where(e => e.OutcomeResult == value),
                    "actor.id" => events.Where(e => e.ActorId == value),
                    "actor.alternateId" => events.Where(e => e.ActorAlternateId == value),
                    "client.ipAddress" => events.Where(e => e.ClientIp == value),
                    "uuid" => events.Where(e => e.Uuid == value),
                    _ => events,
                };
            case CompareNode { Operator: FilterOperator.Sw, Value: { Kind: LiteralKind.String, Text: { Length: > 0 } prefix } } c:
                return Column(c.Path) switch
                {
                    "eventType" => events.Where(e => e.EventType.StartsWith(prefix)),
                    "actor.alternateId" => events.Where(e => e.ActorAlternateId != null && e.ActorAlternateId.StartsWith(prefix)),
                    "actor.id" => events.Where(e => e.ActorId != null && e.ActorId.StartsWith(prefix)),
                    "client.ipAddress" => events.Where(e => e.ClientIp != null && e.ClientIp.StartsWith(prefix)),
                    _ => events,
                };
            case InNode { Values: var values } i when values.All(v => v.Kind == LiteralKind.String):
                var list = values.Select(v => v.Text!).ToList();
                return Column(i.Path) switch
                {
                    "eventType" => events.Where(e => list.Contains(e.EventType)),
                    "outcome.result" => events.Where(e => e.OutcomeResult != null && list.Contains(e.OutcomeResult)),
                    "actor.id" => events.Where(e => e.ActorId != null && list.Contains(e.ActorId)),
                    "actor.alternateId" => events.Where(e => e.ActorAlternateId != null && list.Contains(e.ActorAlternateId)),
                    "client.ipAddress" => events.Where(e => e.ClientIp != null && list.Contains(e.ClientIp)),
                    "uuid" => events.Where(e => list.Contains(e.Uuid)),
                    _ => events,
                };
            case PresentNode p:
                return Column(p.Path) switch
                {
                    "outcome.result" => events.Where(e => e.OutcomeResult != null),
                    "actor.id" => events.Where(e => e.ActorId != null),
                    "actor.alternateId" => events.Where(e => e.ActorAlternateId != null),
                    "client.ipAddress" => events.Where(e => e.ClientIp != null),
                    _ => events,
                };
            default:
                return events;
        }
    }

    private static readonly string[] Columns = ["eventType", "outcome.result", "actor.id", "actor.alternateId", "client.ipAddress", "uuid"];

    private static string? Column(string path) => Columns.FirstOrDefault(c => string.Equals(c, path, StringComparison.OrdinalIgnoreCase));

    private static bool TryMatch(FilterNode filter, string json, out string? displayMessage)
    {
        displayMessage = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!OktaFilter.Matches(filter, doc.RootElement)) return false;
            displayMessage = DisplayMessage(doc.RootElement);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? DisplayMessage(JsonElement root)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("displayMessage", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;

    private static EventSummary Summarize(StoredEvent e, IReadOnlyDictionary<Guid, string> tenantNames, string? displayMessage)
    {
        if (displayMessage is null && e.Json.Contains("displayMessage", StringComparison.Ordinal))
        {
            try
            {
                using var doc = JsonDocument.Parse(e.Json);
                displayMessage = DisplayMessage(doc.RootElement);
            }
            catch (JsonException)
            {
            }
        }
        return new EventSummary(e.Id, e.Uuid, e.TenantId, tenantNames.GetValueOrDefault(e.TenantId) ?? "(deleted tenant)", e.EventType, e.Published, e.ReceivedAt,
            e.Source, e.ActorAlternateId ?? e.ActorId, e.ClientIp, e.OutcomeResult, displayMessage);
    }

    private static DateTime ToUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Local => t.ToUniversalTime(),
        _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
    };
}
