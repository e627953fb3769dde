using System.Net;
using System.Text.Json.Nodes;
using IdentiGuard.Data.Ingestion;

namespace IdentiGuard.Server.Suppression;

/// <summary>The parts of an Okta LogEvent that suppression scopes and entity pages look at.</summary>
public sealed record EventFacts(string? ActorId, string? ActorLogin, string? Ip, string? City, string? Country, long? Asn, string? AsOrg, string? Isp,
    bool? IsProxy, string? Browser, string? Os, string? Device, string? RawUserAgent, IReadOnlyList<(string Id, string? Name)> Groups)
{
    public static EventFacts Of(StoredEvent e) => Parse(e.Json, e.ActorId, e.ActorAlternateId, e.ClientIp);

    public static EventFacts Parse(string json, string? actorId = null, string? actorLogin = null, string? ip = null)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            root = null;
        }
        var client = root?["client"] as JsonObject;
        var geo = client?["geographicalContext"] as JsonObject;
        var agent = client?["userAgent"] as JsonObject;
        var security = root?["securityContext"] as JsonObject;
        var groups = (root?["target"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(t => Text(t["type"]) == "UserGroup" && Text(t["id"]) is not null)
            .Select(t => (Text(t["id"])!, Text(t["displayName"])))
            .ToList();
        return new EventFacts(
            actorId ?? Text((root?["actor"] as JsonObject)?["id"]),
            actorLogin ?? Text((root?["actor"] as JsonObject)?["alternateId"]),
            ip ?? Text(client?["ipAddress"]),
            Text(geo?["city"]), Text(geo?["country"]),
            security?["asNumber"] is JsonValue asn && asn.TryGetValue<long>(out var n) ? n : null,
            Text(security?["asOrg"]), Text(security?["isp"]),
            security?["isProxy"] is JsonValue proxy && proxy.TryGetValue<bool>(out var p) ? p : null,
            Text(agent?["browser"]), Text(agent?["os"]), Text(client?["device"]), Text(agent?["rawUserAgent"]),
            groups);
    }

    public bool IsUser(string user) =>
        string.Equals(ActorId, user, StringComparison.OrdinalIgnoreCase) || string.Equals(ActorLogin, user, StringComparison.OrdinalIgnoreCase);

    public bool InGroup(string group) =>
        Groups.Any(g => string.Equals(g.Id, group, StringComparison.OrdinalIgnoreCase) || string.Equals(g.Name, group, StringComparison.OrdinalIgnoreCase));

    public bool InNetwork(IPNetwork network) => IPAddress.TryParse(Ip, out var address) && network.Contains(address);

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) && s != "null" ? s : null;
}
