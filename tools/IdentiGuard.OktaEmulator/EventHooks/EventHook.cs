using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.EventHooks;

/// <summary>Stored event hook (mutable; guarded by EmulatorState.Sync).</summary>
internal sealed class EventHook
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public string Status { get; set; } = "ACTIVE";
    public string VerificationStatus { get; set; } = "UNVERIFIED";
    public required DateTimeOffset Created { get; init; }
    public DateTimeOffset LastUpdated { get; set; }
    public string? CreatedBy { get; init; }
    public required List<string> EventTypes { get; set; }
    public JsonNode? Filter { get; set; }
    public required HookChannel Channel { get; set; }

    public bool ReceivesEvents => Status == "ACTIVE" && VerificationStatus == "VERIFIED";

    /// <summary>Applies the hook's EL filter for the event's type (no filter for the type = pass).</summary>
    public bool PassesFilter(JsonObject logEvent)
    {
        if (Filter?["eventFilterMap"] is not JsonArray map) return true;
        var type = OktaJson.GetString(logEvent, "eventType");
        foreach (var entry in map)
        {
            if (OktaJson.GetString(entry, "event") != type) continue;
            var expr = entry?["condition"]?["expression"]?.GetValue<string>();
            if (expr is null) continue;
            try
            {
                if (!HookFilterExpression.Parse(expr).Matches(logEvent)) return false;
            }
            catch (HookFilterException)
            {
                return false;
            }
        }
        return true;
    }

    public EventHookSnapshot Snapshot() => new(Id, Name, Description, Status, VerificationStatus, Channel.Uri,
        Channel.AuthKey, Channel.AuthValue, Channel.Headers.ToArray(), EventTypes.ToArray(), Created, LastUpdated);

    public JsonObject ToJson(string baseUrl)
    {
        var headers = new JsonArray();
        foreach (var h in Channel.Headers) headers.Add(new JsonObject { ["key"] = h.Key, ["value"] = h.Value });
        var items = new JsonArray();
        foreach (var t in EventTypes) items.Add(t);
        var self = $"{baseUrl}/api/v1/eventHooks/{Id}";
        var links = new JsonObject
        {
            ["self"] = new JsonObject { ["href"] = self },
            ["verify"] = Link(self + "/lifecycle/verify"),
        };
        if (Status == "ACTIVE") links["deactivate"] = Link(self + "/lifecycle/deactivate");
        else links["activate"] = Link(self + "/lifecycle/activate");

        var config = new JsonObject
        {
            ["uri"] = Channel.Uri,
            ["headers"] = headers,
            ["method"] = "POST",
            // authScheme.value is write-only; Okta returns the key lower-cased.
            ["authScheme"] = Channel.AuthKey is null
                ? null
                : new JsonObject { ["type"] = "HEADER", ["key"] = Channel.AuthKey.ToLowerInvariant() },
        };
        return new JsonObject
        {
            ["id"] = Id,
            ["status"] = Status,
            ["verificationStatus"] = VerificationStatus,
            ["name"] = Name,
            ["description"] = Description,
            ["created"] = OktaJson.Timestamp(Created),
            ["createdBy"] = CreatedBy,
            ["lastUpdated"] = OktaJson.Timestamp(LastUpdated),
            ["events"] = new JsonObject { ["type"] = "EVENT_TYPE", ["items"] = items, ["filter"] = Filter?.DeepClone() },
            ["channel"] = new JsonObject { ["type"] = "HTTP", ["version"] = "1.0.0", ["config"] = config },
            ["_links"] = links,
        };
    }

    private static JsonObject Link(string href) =>
        new() { ["href"] = href, ["hints"] = new JsonObject { ["allow"] = new JsonArray("POST") } };
}

internal sealed record HookChannel(string Uri, IReadOnlyList<KeyValuePair<string, string>> Headers, string? AuthKey, string? AuthValue)
{
    public bool SameAs(HookChannel other) =>
        Uri == other.Uri && AuthKey == other.AuthKey && AuthValue == other.AuthValue &&
        Headers.SequenceEqual(other.Headers);
}
