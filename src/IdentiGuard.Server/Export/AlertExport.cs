using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.Server.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Export;

/// <summary>
/// Alerts of the current workspace with their evidence, as CSV (one row per alert, evidence by uuid) or JSON (alerts
/// with their raw Okta events), for the same filters as the list.
/// </summary>
public sealed class AlertExport(IDbContextFactory<IdentiGuardDbContext> dbFactory)
{
    public const int MaxAlerts = 10_000;
    private const int Chunk = 200;

    public static readonly string[] CsvColumns =
    [
        "id", "tenant", "kind", "ruleId", "title", "severity", "status", "statusReason", "assignee", "eventType", "actor", "count", "suppressed",
        "suppressedCount", "firstSeen", "lastSeen", "createdAt", "evidenceUuids",
    ];

    public async Task WriteCsvAsync(AlertFilter filter, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await writer.WriteAsync(string.Join(',', CsvColumns) + "\r\n");
        await foreach (var (alert, evidence) in ReadAsync(filter, ct))
        {
            string[] cells =
            [
                alert.Id.ToString(), alert.TenantName, alert.Kind.ToString(), alert.RuleId, alert.Title, alert.Severity.ToString(), alert.Status.ToString(),
                alert.StatusReason ?? "", alert.Assignee ?? "", alert.EventType, alert.Actor, alert.Count.ToString(), alert.IsSuppressed ? "true" : "false",
                alert.SuppressedCount.ToString(), Time(alert.FirstSeen), Time(alert.LastSeen), Time(alert.CreatedAt), string.Join(' ', evidence.Select(e => e.Uuid)),
            ];
            await writer.WriteAsync(string.Join(',', cells.Select(Cell)) + "\r\n");
        }
    }

    public async Task WriteJsonAsync(AlertFilter filter, Stream output, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartArray();
        await foreach (var (alert, evidence) in ReadAsync(filter, ct))
        {
            var node = JsonSerializer.SerializeToNode(alert, Options)!.AsObject();
            node["events"] = new JsonArray(evidence.Select(e => (JsonNode)new JsonObject
            {
                ["uuid"] = e.Uuid, ["eventType"] = e.EventType, ["published"] = e.Published, ["raw"] = ParseOrText(e.Json),
            }).ToArray());
            node.WriteTo(json);
            if (json.BytesPending > 64 * 1024) await json.FlushAsync(ct);
        }
        json.WriteEndArray();
        await json.FlushAsync(ct);
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private async IAsyncEnumerable<(AlertSummary Alert, List<AlertEvidence> Evidence)> ReadAsync(AlertFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ordered = AlertQueries.Filtered(db, filter).OrderByDescending(a => a.LastSeen).ThenBy(a => a.Id);
        for (var skip = 0; skip < MaxAlerts; skip += Chunk)
        {
            var page = await AlertQueries.Project(db, ordered.Skip(skip).Take(Math.Min(Chunk, MaxAlerts - skip))).ToListAsync(ct);
            if (page.Count == 0) yield break;
            var evidence = await AlertQueries.EvidenceAsync(db, page.Select(a => a.Id).ToList(), ct);
            foreach (var alert in page) yield return (alert, evidence.GetValueOrDefault(alert.Id, []));
            if (page.Count < Chunk) yield break;
        }
    }

    /// <summary>RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs an attacker-chosen formula from Okta data.</summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private static string Time(DateTime t) => t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonNode? ParseOrText(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
