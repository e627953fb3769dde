using System.Buffers;
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
        // A read-only document, not a JsonNode tree: a delivery is read once, and building mutable nodes for every
        // field of every event was most of the endpoint's parsing cost.
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read()) throw new JsonException("Unexpected data after the JSON value.", null, 0, reader.BytesConsumed);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).");
        }
        using (document)
        {
            var envelope = document.RootElement;
            if (envelope.ValueKind != JsonValueKind.Object) throw new FormatException("The body must be a JSON object (an Okta event hook delivery).");

            var fallbackTime = TryTime(Text(envelope, "eventTime")) ?? receivedAt;
            if (envelope.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
            {
                if (!data.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
                    throw new FormatException("data.events must be an array of Okta events.");
                var parsed = new List<IncomingEvent>(events.GetArrayLength());
                foreach (var item in events.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object) throw new FormatException("Every element of data.events must be a JSON object.");
                    parsed.Add(FromLogEvent(item, fallbackTime));
                }
                return new ParsedDelivery(parsed, Text(envelope, "eventId"));
            }
            if (envelope.TryGetProperty("data", out var other) && other.ValueKind != JsonValueKind.Null)
                throw new FormatException("data must be an object holding the events array.");
            // A single LogEvent (Preview lets the admin edit the body freely).
            if (Text(envelope, "eventType") is { Length: > 0 } type && type != "com.okta.event_hook")
                return new ParsedDelivery([FromLogEvent(envelope, fallbackTime)], null);
            throw new FormatException("The delivery has no data.events array.");
        }
    }

    /// <summary>An event the System Log API returned; its stored text is the same as if a hook had delivered it.</summary>
    public static IncomingEvent FromLogEvent(JsonObject e, DateTime fallbackTime)
    {
        using var document = JsonDocument.Parse(e.ToJsonString());
        return FromLogEvent(document.RootElement, fallbackTime);
    }

    private static IncomingEvent FromLogEvent(JsonElement e, DateTime fallbackTime)
    {
        // Stored compact and re-encoded, so the same event has the same text whichever path (or formatting) brought it:
        // the store compares texts to tell a redelivery from a placeholder uuid.
        var json = Compact(e);
        var uuid = Text(e, "uuid");
        if (string.IsNullOrWhiteSpace(uuid)) uuid = "synthetic-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..32];
        var actor = Object(e, "actor");
        return new IncomingEvent(
            Truncate(uuid, 100),
            Truncate(Text(e, "eventType") is { Length: > 0 } t ? t : "unknown", 200),
            TryTime(Text(e, "published")) ?? fallbackTime,
            actor is { } a ? Text(a, "id") : null,
            actor is { } b ? Text(b, "alternateId") ?? Text(b, "displayName") : null,
            Object(e, "client") is { } client ? Text(client, "ipAddress") : null,
            Object(e, "outcome") is { } outcome ? Text(outcome, "result") : null,
            json);
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? compactBuffer;
    [ThreadStatic] private static Utf8JsonWriter? compactWriter;

    private static string Compact(JsonElement element)
    {
        var buffer = compactBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = compactWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        element.WriteTo(writer);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static JsonElement? Object(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>A scalar field as text (numbers and booleans as written); null when absent, null or structured.</summary>
    private static string? Text(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
    }

    /// <summary>
    /// ISO-8601 as Okta sends it, and <c>YYYY-MM-DD HH:MM:SS.fff…</c> as some exports do; no zone means UTC. Kept to
    /// whole microseconds: PostgreSQL keeps no finer, and the publish time is part of an event's deduplication key, so
    /// the time the store compares in memory must be the one every provider reads back.
    /// </summary>
    public static DateTime? TryTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)) return null;
        return new DateTime(time.Ticks - time.Ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
