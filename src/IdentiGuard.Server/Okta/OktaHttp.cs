using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IdentiGuard.Server.Okta;

/// <summary>
/// The typed HTTP client every Okta call goes through: records each call's <c>X-Okta-Request-Id</c> on the session and
/// turns Okta's error formats (management error object, OAuth error, <c>WWW-Authenticate</c> scope errors) into
/// <see cref="OktaApiException"/>, and transport failures into <see cref="OktaUnreachableException"/>.
/// </summary>
public sealed partial class OktaHttp(HttpClient http)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<HttpResponseMessage> SendAsync(OktaSession session, HttpRequestMessage request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var path = request.RequestUri!.PathAndQuery;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var reason = ex is TaskCanceledException ? "the request timed out" : ex.InnerException?.Message ?? ex.Message;
            session.Record(new OktaCallRecord(request.Method.Method, path, null, null, null, reason, Stopwatch.GetElapsedTime(started)));
            throw new OktaUnreachableException(session.Credentials.Domain, reason, ex);
        }

        var requestId = response.Headers.TryGetValues("X-Okta-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        if (response.IsSuccessStatusCode)
        {
            session.Record(new OktaCallRecord(request.Method.Method, path, (int)response.StatusCode, requestId, null, null, Stopwatch.GetElapsedTime(started)));
            return response;
        }

        var error = await ReadErrorAsync(response, requestId, ct);
        session.Record(new OktaCallRecord(request.Method.Method, path, (int)response.StatusCode, requestId, error.ErrorCode, error.Describe(), Stopwatch.GetElapsedTime(started)));
        response.Dispose();
        throw error;
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
        => await response.Content.ReadFromJsonAsync<T>(Json, ct) ?? throw new InvalidDataException("Okta returned an empty body.");

    private static async Task<OktaApiException> ReadErrorAsync(HttpResponseMessage response, string? requestId, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var missingScope = MissingScopeFrom(response.Headers.WwwAuthenticate);
        string? code = null;
        var summary = response.ReasonPhrase ?? status.ToString();
        var causes = new List<string>();
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (body.Length > 0)
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.TryGetProperty("errorCode", out var errorCode)) code = errorCode.GetString();
                if (root.TryGetProperty("errorSummary", out var errorSummary)) summary = errorSummary.GetString() ?? summary;
                if (root.TryGetProperty("error", out var oauthError))
                {
                    code = oauthError.GetString();
                    summary = root.TryGetProperty("error_description", out var description) ? description.GetString() ?? summary : summary;
                }
                if (root.TryGetProperty("errorCauses", out var list) && list.ValueKind == JsonValueKind.Array)
                    causes.AddRange(list.EnumerateArray().Select(c => c.TryGetProperty("errorSummary", out var s) ? s.GetString() ?? "" : "").Where(s => s.Length > 0));
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy page, say): the status line is all there is.
        }
        if (missingScope is not null)
        {
            code ??= "insufficient_scope";
            summary = $"The access token does not contain the required scope {missingScope}.";
        }
        return new OktaApiException(status, code, summary, causes, requestId, missingScope);
    }

    private static string? MissingScopeFrom(HttpHeaderValueCollection<AuthenticationHeaderValue> challenges)
    {
        foreach (var challenge in challenges)
        {
            var parameter = challenge.Parameter ?? "";
            if (!parameter.Contains("insufficient_scope", StringComparison.Ordinal)) continue;
            var match = ScopeParameter().Match(parameter);
            return match.Success ? match.Groups[1].Value : "(unknown)";
        }
        return null;
    }

    [GeneratedRegex("scope=\"([^\"]+)\"")]
    private static partial Regex ScopeParameter();

    internal static HttpStatusCode StatusOf(Exception ex) => ex is OktaApiException api ? (HttpStatusCode)api.Status : 0;
}
