using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IdentiGuard.Server.Ingestion;

public sealed record ParsedDelivery(IReadOnlyList<IncomingEvent> Events, string? DeliveryId);

/// <summary>
/// Reads an event hook delivery (the <c>com.okta.event_hook</c> envelope, or a bare LogEvent pasted into Preview).
/// Tolerant of what Okta leaves undocumented: any number of events, missing optional fields, Preview sample data
/// without ids or targets. Strict about shape: anything that is not an object with an events array is refused.
/// </summary>
public static class OktaEventParser
{
    public static ParsedDelivery ParseDelivery(ReadOnlySpan<byte> body, DateTime receivedAt)
    {
        // The JSON reader checks UTF-8 only in what it decodes; Okta sends valid UTF-8, so anything else is corruption.
        if (!System.Text.Unicode.Utf8.IsValid(body)) throw new FormatException("The body is not valid UTF-8.");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).");
        }
        if (root is not JsonObject envelope) throw new FormatException("The body must be a JSON object (an Okta event hook delivery).");

        var fallbackTime = TryTime(envelope["eventTime"]) ?? receivedAt;
        if (envelope["data"] is JsonObject data)
        {
            if (data["events"] is not JsonArray events) throw new FormatException("data.events must be an array of Okta events.");
            var parsed = new List<IncomingEvent>(events.Count);
            foreach (var item in events)
            {
                if (item is not JsonObject logEvent) throw new FormatException("Every element of data.events must be a JSON object.");
                parsed.Add(FromLogEvent(logEvent, fallbackTime));
            }
            return new ParsedDelivery(parsed, Text(envelope["eventId"]));
        }
        if (envelope["data"] is not null) throw new FormatException("data must be an object holding the events array.");
        // A single LogEvent (Preview lets the admin edit the body freely).
        if (Text(envelope["eventType"]) is { Length: > 0 } type && type != "com.okta.event_hook")
            return new ParsedDelivery([FromLogEvent(envelope, fallbackTime)], null);
        throw new FormatException("The delivery has no data.events array.");
    }

    public static IncomingEvent FromLogEvent(JsonObject e, DateTime fallbackTime)
    {
        var json = e.ToJsonString();
        var uuid = Text(e["uuid"]);
        if (string.IsNullOrWhiteSpace(uuid)) uuid = "synthetic-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..32];
        var actor = e["actor"] as JsonObject;
        return new IncomingEvent(
            Truncate(uuid, 100),
            Truncate(Text(e["eventType"]) is { Length: > 0 } t ? t : "unknown", 200),
            TryTime(e["published"]) ?? fallbackTime,
            Text(actor?["id"]),
            Text(actor?["alternateId"]) ?? Text(actor?["displayName"]),
            Text((e["client"] as JsonObject)?["ipAddress"]),
            Text((e["outcome"] as JsonObject)?["result"]),
            json);
    }

    /// <summary>ISO-8601 as Okta sends it, and <c>YYYY-MM-DD HH:MM:SS.fff…</c> as some exports do; no zone means UTC.</summary>
    public static DateTime? TryTime(JsonNode? node)
    {
        var text = Text(node);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
