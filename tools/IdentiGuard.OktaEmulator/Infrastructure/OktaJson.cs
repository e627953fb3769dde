using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace IdentiGuard.OktaEmulator.Infrastructure;

/// <summary>JSON helpers: Okta timestamps, responses and error objects.</summary>
internal static class OktaJson
{
    public static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryParseTimestamp(string? s, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    public static IResult Json(JsonNode node, int status = 200) =>
        Results.Content(node.ToJsonString(), "application/json", Encoding.UTF8, status);

    public static JsonObject ErrorBody(string code, string summary, IEnumerable<string>? causes = null)
    {
        var arr = new JsonArray();
        foreach (var c in causes ?? [])
            arr.Add(new JsonObject { ["errorSummary"] = c });
        return new JsonObject
        {
            ["errorCode"] = code,
            ["errorSummary"] = summary,
            ["errorLink"] = code,
            ["errorId"] = Ids.ErrorId(),
            ["errorCauses"] = arr,
        };
    }

    public static IResult Error(int status, string code, string summary, params string[] causes) =>
        Json(ErrorBody(code, summary, causes), status);

    public static IResult ValidationFailed(params string[] causes) =>
        Error(400, "E0000001", "Api validation failed", causes);

    public static IResult ValidationFailed(IEnumerable<string> causes) =>
        Error(400, "E0000001", "Api validation failed", causes.ToArray());

    public static IResult NotFound(string what) =>
        Error(404, "E0000007", "Not found: Resource not found: " + what + " (" + NotFoundKind(what) + ")");

    private static string NotFoundKind(string what) =>
        what.StartsWith("who", StringComparison.Ordinal) ? "EventHook" : "User";

    public static IResult MalformedBody() =>
        Error(400, "E0000003", "The request body was not well-formed.");

    public static async Task<JsonNode?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static string? GetString(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
