using System.Collections.Concurrent;
using System.Globalization;

namespace IdentiGuard.Server.Okta;

/// <summary>What Okta last said about one rate-limit bucket of one org.</summary>
public sealed record RateLimitSnapshot(int Limit, int Remaining, DateTimeOffset ResetAt, DateTimeOffset ObservedAt);

/// <summary>
/// Okta's rate-limit headers (<c>X-Rate-Limit-Limit/Remaining/Reset</c>) per org and bucket, and pacing that leaves
/// headroom: within a window IdentiGuard allows itself only a share of what <c>Remaining</c> reports, so the org's other
/// integrations and admins keep the rest. The reset is converted to local time with the response's <c>Date</c> header
/// (as Okta's SDK does), so a skewed clock does not shorten the wait.
/// </summary>
public sealed class OktaRateLimits(TimeProvider time)
{
    private sealed class Bucket
    {
        public RateLimitSnapshot? Last;
        public long WindowReset;
        /// <summary>Remaining in the first response seen in the current window.</summary>
        public int FirstRemaining;
        /// <summary>Requests sent since that first response.</summary>
        public int SentSinceFirst;
        public bool Refused;
    }

    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    /// <summary>The bucket a request counts against: org origin plus the API family (<c>/api/v1/logs</c>, …).</summary>
    public static string KeyFor(Uri uri)
    {
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return $"{uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()}/{string.Join('/', segments.Take(3))}";
    }

    public RateLimitSnapshot? Snapshot(Uri uri) => buckets.TryGetValue(KeyFor(uri), out var b) ? b.Last : null;

    /// <summary>Records the headers of any Okta response (success or error).</summary>
    public void Observe(Uri uri, HttpResponseMessage response)
    {
        if (!TryHeader(response, "X-Rate-Limit-Limit", out var limit) || !TryHeader(response, "X-Rate-Limit-Remaining", out var remaining)
            || !TryHeader(response, "X-Rate-Limit-Reset", out var resetEpoch)) return;
        var now = time.GetUtcNow();
        var skew = response.Headers.Date is { } serverNow ? now - serverNow : TimeSpan.Zero;
        if (skew.Duration() > TimeSpan.FromHours(1)) skew = TimeSpan.Zero;
        var bucket = buckets.GetOrAdd(KeyFor(uri), _ => new Bucket());
        lock (bucket)
        {
            bucket.Last = new RateLimitSnapshot((int)limit, (int)remaining, DateTimeOffset.FromUnixTimeSeconds(resetEpoch) + skew, now);
            if (bucket.WindowReset != resetEpoch)
            {
                bucket.WindowReset = resetEpoch;
                bucket.FirstRemaining = (int)remaining;
                bucket.SentSinceFirst = 0;
            }
            bucket.Refused = (int)response.StatusCode == 429;
        }
    }

    /// <summary>
    /// When the next request to <paramref name="uri"/> may go out if IdentiGuard uses at most <paramref name="share"/> of
    /// what <c>Remaining</c> reports until the reset: now while there is allowance, otherwise the reset plus a second.
    /// </summary>
    public DateTimeOffset NextAllowedAt(Uri uri, double share)
    {
        var now = time.GetUtcNow();
        if (!buckets.TryGetValue(KeyFor(uri), out var bucket)) return now;
        lock (bucket)
        {
            if (bucket.Last is not { } last || now >= last.ResetAt) return now;
            // Our own requests count against the first figure; anyone else's show up in the latest one.
            var allowance = Math.Min((int)Math.Floor(share * bucket.FirstRemaining) - bucket.SentSinceFirst, (int)Math.Floor(share * last.Remaining));
            return allowance > 0 && !bucket.Refused ? now : last.ResetAt + TimeSpan.FromSeconds(1);
        }
    }

    /// <summary>Counts a request about to be sent against the window's allowance.</summary>
    public void Consume(Uri uri)
    {
        if (buckets.TryGetValue(KeyFor(uri), out var bucket)) lock (bucket) bucket.SentSinceFirst++;
    }

    /// <summary>After a 429: the reset of the refused window plus a second (a minute when Okta sent no usable headers).</summary>
    public DateTimeOffset RetryAfter429(Uri uri)
    {
        var now = time.GetUtcNow();
        var reset = Snapshot(uri) is { } s && s.ObservedAt >= now - TimeSpan.FromSeconds(5) && s.ResetAt > now ? s.ResetAt : now + TimeSpan.FromSeconds(59);
        return reset + TimeSpan.FromSeconds(1);
    }

    private static bool TryHeader(HttpResponseMessage response, string name, out long value)
    {
        value = 0;
        return response.Headers.TryGetValues(name, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>Feeds every Okta response's rate-limit headers to <see cref="OktaRateLimits"/>.</summary>
public sealed class OktaRateLimitHandler(OktaRateLimits limits) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri is { } uri) limits.Observe(uri, response);
        return response;
    }
}
