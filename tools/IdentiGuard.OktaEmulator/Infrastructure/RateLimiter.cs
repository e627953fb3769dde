namespace IdentiGuard.OktaEmulator.Infrastructure;

/// <summary>Fixed 60 s windows per bucket; a window starts at the first request after the previous one expired.</summary>
internal sealed class RateLimiter(TimeProvider time)
{
    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _windows = new();
    private readonly Lock _sync = new();

    public RateDecision Take(string bucket, int limit)
    {
        var now = time.GetUtcNow();
        lock (_sync)
        {
            if (!_windows.TryGetValue(bucket, out var w) || now >= w.Start.AddSeconds(60))
                w = (now, 0);
            w.Count++;
            _windows[bucket] = w;
            var reset = w.Start.AddSeconds(60);
            var resetEpoch = (long)Math.Ceiling(reset.ToUnixTimeMilliseconds() / 1000.0);
            return new RateDecision(w.Count <= limit, limit, Math.Max(0, limit - w.Count), resetEpoch);
        }
    }
}

internal readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, long ResetEpochSeconds);
