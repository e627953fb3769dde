using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IdentiGuard.Server.Okta;

/// <summary>One page of the System Log: its events and the <c>rel="next"</c> link (always present when polling).</summary>
public sealed record SystemLogPage(IReadOnlyList<JsonObject> Events, string? NextUrl);

/// <summary>Okta refused the request for its rate limit; try again at <see cref="RetryAt"/>.</summary>
public sealed class OktaRateLimitedException(DateTimeOffset retryAt, OktaApiException inner)
    : Exception($"Okta's rate limit was reached; retry at {retryAt:O}.", inner)
{
    public DateTimeOffset RetryAt { get; } = retryAt;
}

/// <summary>Okta's System Log API (<c>GET /api/v1/logs</c>, scope <c>okta.logs.read</c>).</summary>
public sealed partial class SystemLogApi(OktaHttp http, OktaTokenClient tokens, OktaRateLimits limits)
{
    public const int MaxLimit = 1000;

    /// <summary>The first request of the polling pattern: ascending by persistence time, no <c>until</c>, infinite pages.</summary>
    public static string PollingUrl(string domain, DateTime since, int limit)
        => $"{domain}/api/v1/logs?since={Iso(since)}&limit={limit}&sortOrder=ASCENDING";

    /// <summary>A bounded query (history import): by published time, finite pages.</summary>
    public static string BoundedUrl(string domain, DateTime since, DateTime until, int limit)
        => $"{domain}/api/v1/logs?since={Iso(since)}&until={Iso(until)}&limit={limit}&sortOrder=ASCENDING";

    /// <summary>When a request to the logs API of <paramref name="domain"/> may go out without eating into others' share.</summary>
    public DateTimeOffset NextAllowedAt(string domain, double share) => limits.NextAllowedAt(new Uri(domain + "/api/v1/logs"), share);

    /// <summary>
    /// Fetches <paramref name="url"/> (built above or a <c>next</c> link Okta returned). Throws
    /// <see cref="OktaRateLimitedException"/> on 429 with the time to retry (the window's reset plus a second).
    /// </summary>
    public async Task<SystemLogPage> GetPageAsync(OktaSession session, string url, CancellationToken ct)
    {
        var uri = new Uri(url);
        // The bearer token goes only to the tenant's own org, whatever a link says.
        if (!string.Equals(uri.GetLeftPart(UriPartial.Authority), new Uri(session.Credentials.Domain).GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            || !uri.AbsolutePath.Equals("/api/v1/logs", StringComparison.Ordinal))
            throw new InvalidDataException($"Refusing to follow a System Log link outside the tenant's org: {uri.GetLeftPart(UriPartial.Path)}");

        var token = await tokens.GetTokenAsync(session, ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        limits.Consume(uri);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(session, request, ct);
        }
        catch (OktaApiException ex) when (ex.Status == 429)
        {
            throw new OktaRateLimitedException(limits.RetryAfter429(uri), ex);
        }
        catch (OktaApiException ex) when (ex.Status == 401)
        {
            tokens.Invalidate(session.Credentials);
            throw;
        }
        using (response)
        {
            var events = await OktaHttp.ReadAsync<List<JsonObject>>(response, ct);
            return new SystemLogPage(events, NextLink(response));
        }
    }

    /// <summary>The <c>rel="next"</c> target among the <c>link</c> headers (one per line, or comma-separated).</summary>
    public static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("link", out var values)) return null;
        foreach (var value in values)
            foreach (Match m in LinkPattern().Matches(value))
                if (m.Groups["rel"].Value.Split(' ').Contains("next", StringComparer.OrdinalIgnoreCase)) return m.Groups["url"].Value;
        return null;
    }

    private static string Iso(DateTime t) => Uri.EscapeDataString(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    [GeneratedRegex("<(?<url>[^>]+)>\\s*;\\s*rel=\"?(?<rel>[^\";,]+)\"?")]
    private static partial Regex LinkPattern();
}
