using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IdentiGuard.OktaEmulator.EventHooks;

internal sealed record HookDefinition(string Name, string? Description, List<string> EventTypes, JsonNode? Filter, HookChannel Channel);

/// <summary>Validates create/replace bodies the way Okta does (400 E0000001 with errorCauses).</summary>
internal static partial class EventHookValidator
{
    public const int MaxEventTypesPerHook = 300;
    public const int MaxActiveHooks = 25;
    public const int MaxUriLength = 1024;

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "accept", "content-type", "content-length", "host", "connection", "transfer-encoding", "expect", "upgrade",
        "te", "keep-alive", "x-okta-verification-challenge", "user-agent", "cookie",
    };

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderToken();

    public static (HookDefinition? Definition, List<string> Causes) Validate(JsonObject body, EventTypeCatalog catalog, bool loopbackTestMode)
    {
        var causes = new List<string>();

        var name = Str(body, "name", causes, "name");
        if (name is null) causes.Add("name: The field cannot be left blank");
        else if (name.Trim().Length == 0) causes.Add("name: The field cannot be left blank");
        else if (name.Length > 255) causes.Add("name: The field must be at most 255 characters");

        string? description = null;
        if (body["description"] is JsonValue dv)
        {
            if (dv.GetValueKind() == JsonValueKind.String) description = dv.GetValue<string>();
            else causes.Add("description: must be a string");
        }

        var types = new List<string>();
        JsonNode? filter = null;
        if (body["events"] is not JsonObject events)
        {
            causes.Add("events: The field cannot be left blank");
        }
        else
        {
            if (Str(events, "type", causes, "events.type") != "EVENT_TYPE")
                causes.Add("events.type: Only EVENT_TYPE is supported");
            if (events["items"] is not JsonArray items || items.Count == 0)
            {
                causes.Add("events.items: The field cannot be left blank");
            }
            else
            {
                foreach (var item in items)
                {
                    if (item is not JsonValue iv || iv.GetValueKind() != JsonValueKind.String)
                    {
                        causes.Add("events.items: Each item must be an event type string");
                        continue;
                    }
                    var t = iv.GetValue<string>();
                    if (types.Contains(t)) continue;
                    types.Add(t);
                    var info = catalog.Find(t);
                    if (info is null) causes.Add($"events.items: Invalid event type: {t}");
                    else if (!info.EventHookEligible) causes.Add($"events.items: Event type {t} is not eligible for event hooks");
                }
                if (types.Count > MaxEventTypesPerHook)
                    causes.Add($"events.items: An event hook can subscribe to at most {MaxEventTypesPerHook} event types ({types.Count} given)");
            }
            if (events["filter"] is { } f)
            {
                if (f is JsonObject fo && Str(fo, "type", causes, "events.filter.type") == "EXPRESSION_LANGUAGE")
                {
                    ValidateFilterMap(fo["eventFilterMap"], types, causes);
                    filter = fo.DeepClone();
                }
                else causes.Add("events.filter: Only EXPRESSION_LANGUAGE filters are supported");
            }
        }

        HookChannel? channel = null;
        if (body["channel"] is not JsonObject ch)
        {
            causes.Add("channel: The field cannot be left blank");
        }
        else
        {
            if (Str(ch, "type", causes, "channel.type") != "HTTP") causes.Add("channel.type: Only HTTP is supported");
            if (Str(ch, "version", causes, "channel.version") != "1.0.0") causes.Add("channel.version: Only 1.0.0 is supported");
            if (ch["config"] is not JsonObject config)
            {
                causes.Add("channel.config: The field cannot be left blank");
            }
            else
            {
                var uri = Str(config, "uri", causes, "channel.config.uri");
                ValidateUri(uri, loopbackTestMode, causes);
                var headers = ValidateHeaders(config["headers"], causes);
                string? authKey = null, authValue = null;
                if (config["authScheme"] is JsonObject auth)
                {
                    if (Str(auth, "type", causes, "channel.config.authScheme.type") != "HEADER")
                        causes.Add("channel.config.authScheme.type: Only HEADER is supported");
                    authKey = Str(auth, "key", causes, "channel.config.authScheme.key");
                    if (string.IsNullOrEmpty(authKey) || !HeaderToken().IsMatch(authKey))
                        causes.Add("channel.config.authScheme.key: The field must be a valid header name");
                    else if (ReservedHeaders.Contains(authKey))
                        causes.Add($"channel.config.authScheme.key: The header {authKey} is reserved");
                    authValue = Str(auth, "value", causes, "channel.config.authScheme.value");
                    if (string.IsNullOrEmpty(authValue))
                        causes.Add("channel.config.authScheme.value: The field cannot be left blank");
                }
                else if (config["authScheme"] is not null)
                {
                    causes.Add("channel.config.authScheme: must be an object");
                }
                if (authKey is not null && headers.Any(h => h.Key.Equals(authKey, StringComparison.OrdinalIgnoreCase)))
                    causes.Add($"channel.config.headers: The header {authKey} duplicates the authScheme key");
                if (uri is not null) channel = new HookChannel(uri, headers, authKey, authValue);
            }
        }

        if (causes.Count > 0 || name is null || channel is null) return (null, causes);
        return (new HookDefinition(name, description, types, filter, channel), causes);
    }

    private static void ValidateFilterMap(JsonNode? map, List<string> types, List<string> causes)
    {
        if (map is not JsonArray entries || entries.Count == 0)
        {
            causes.Add("events.filter.eventFilterMap: The field cannot be left blank");
            return;
        }
        foreach (var entry in entries)
        {
            var ev = entry is JsonObject eo ? Str(eo, "event", causes, "events.filter.eventFilterMap.event") : null;
            if (ev is null || !types.Contains(ev))
                causes.Add($"events.filter.eventFilterMap.event: {ev ?? "(missing)"} is not one of the subscribed event types");
            var expr = entry?["condition"] is JsonObject co ? Str(co, "expression", causes, "events.filter.eventFilterMap.condition.expression") : null;
            if (string.IsNullOrWhiteSpace(expr))
            {
                causes.Add("events.filter.eventFilterMap.condition.expression: The field cannot be left blank");
                continue;
            }
            try
            {
                HookFilterExpression.Parse(expr);
            }
            catch (HookFilterException ex)
            {
                causes.Add($"events.filter.eventFilterMap.condition.expression: Invalid expression: {ex.Message}");
            }
        }
    }

    private static void ValidateUri(string? uri, bool loopbackTestMode, List<string> causes)
    {
        if (string.IsNullOrEmpty(uri))
        {
            causes.Add("channel.config.uri: The field cannot be left blank");
            return;
        }
        if (uri.Length > MaxUriLength)
            causes.Add($"channel.config.uri: The URI must be at most {MaxUriLength} characters");
        if (uri.Any(char.IsWhiteSpace))
            causes.Add("channel.config.uri: The URI must not contain whitespace");
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            causes.Add("channel.config.uri: invalid URL provided");
            return;
        }
        var isHttps = uri.StartsWith("https://", StringComparison.Ordinal);
        var isLoopbackHttp = loopbackTestMode && uri.StartsWith("http://", StringComparison.Ordinal) && IsLoopback(parsed.Host);
        if (!isHttps && !isLoopbackHttp)
            causes.Add("channel.config.uri: The URI must begin with https://");
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static List<KeyValuePair<string, string>> ValidateHeaders(JsonNode? node, List<string> causes)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (node is null) return result;
        if (node is not JsonArray arr)
        {
            causes.Add("channel.config.headers: must be an array");
            return result;
        }
        foreach (var h in arr)
        {
            var key = h is JsonObject ho ? Str(ho, "key", causes, "channel.config.headers.key") : null;
            var value = h is JsonObject hv ? Str(hv, "value", causes, "channel.config.headers.value") : null;
            if (string.IsNullOrEmpty(key) || !HeaderToken().IsMatch(key))
                causes.Add("channel.config.headers: Each header needs a valid key");
            else if (ReservedHeaders.Contains(key))
                causes.Add($"channel.config.headers: The header {key} is reserved");
            else if (value is null)
                causes.Add($"channel.config.headers: The header {key} needs a value");
            else
                result.Add(new KeyValuePair<string, string>(key, value));
        }
        return result;
    }

    private static string? Str(JsonObject o, string prop, List<string> causes, string path)
    {
        if (!o.TryGetPropertyValue(prop, out var n) || n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        causes.Add($"{path}: must be a string");
        return null;
    }
}
