using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.Delivery;

/// <summary>The com.okta.event_hook CloudEvents 0.1 envelope.</summary>
internal static class Envelope
{
    public static JsonObject Build(string baseUrl, string hookId, string eventId, IEnumerable<JsonObject> events, DateTimeOffset eventTime)
    {
        var arr = new JsonArray();
        foreach (var e in events) arr.Add(e.DeepClone());
        return new JsonObject
        {
            ["eventType"] = "com.okta.event_hook",
            ["eventTypeVersion"] = "1.0",
            ["cloudEventsVersion"] = "0.1",
            ["source"] = $"{baseUrl}/api/v1/eventHooks/{hookId}",
            ["eventId"] = eventId,
            ["data"] = new JsonObject { ["events"] = arr },
            ["eventTime"] = OktaJson.Timestamp(eventTime),
            ["contentType"] = "application/json",
        };
    }
}
