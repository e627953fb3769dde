using System.Globalization;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.Tokens;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentiGuard.OktaEmulator.SystemLog;

/// <summary>GET /api/v1/logs — polling (no until, ascending: persistence order, infinite next) and bounded queries.</summary>
internal static class LogsEndpoint
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(90);
    private static readonly TimeSpan MaxSinceAge = TimeSpan.FromDays(180);

    public static void Map(WebApplication app) => app.MapGet("/api/v1/logs", Handle);

    private static IResult Handle(HttpContext ctx, EmulatorState state)
    {
        if (BearerAuth.Check(ctx, state, OktaScopes.LogsRead) is { } denied) return denied;
        if (state.LogsUnavailable) return OktaJson.Error(500, "E0000009", "Internal Server Error");

        var q = ctx.Request.Query;
        var now = state.Time.GetUtcNow();

        var limit = 100;
        if (q.TryGetValue("limit", out var limitText) &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit > 1000))
            return OktaJson.Error(400, "E0000054", "Invalid pagination properties.", "limit: must be an integer between 0 and 1000");

        var descending = false;
        if (q.TryGetValue("sortOrder", out var sortText))
        {
            if (sortText == "DESCENDING") descending = true;
            else if (sortText != "ASCENDING")
                return OktaJson.ValidationFailed("sortOrder: must be ASCENDING or DESCENDING");
        }

        DateTimeOffset? since = null, until = null;
        if (q.TryGetValue("since", out var sinceText))
        {
            if (!OktaJson.TryParseTimestamp(sinceText, out var s))
                return OktaJson.ValidationFailed("since: must be an ISO 8601 timestamp");
            since = s;
        }
        if (q.TryGetValue("until", out var untilText))
        {
            if (!OktaJson.TryParseTimestamp(untilText, out var u))
                return OktaJson.ValidationFailed("until: must be an ISO 8601 timestamp");
            until = u;
        }
        if (since is { } sv && sv < now - MaxSinceAge)
            return OktaJson.Error(400, "E0000053", "Invalid parameter: The since parameter is over 180 days prior to the current day.");

        LogCursor? cursor = null;
        if (q.TryGetValue("after", out var afterText))
        {
            if (since is not null)
                return OktaJson.Error(400, "E0000054", "Invalid pagination properties.", "after: cannot be combined with since");
            if (!LogCursor.TryParse(afterText.ToString(), out var c))
                return OktaJson.Error(400, "E0000054", "Invalid pagination properties.", "after: invalid cursor");
            cursor = c;
        }

        ScimFilter? filter = null;
        if (q.TryGetValue("filter", out var filterText) && filterText.ToString().Length > 0)
        {
            try
            {
                filter = ScimFilter.Parse(filterText.ToString());
            }
            catch (ScimFilterException ex)
            {
                return ex.UnsupportedOperation
                    ? OktaJson.Error(400, "E0000031", "Invalid search criteria.", ex.Message)
                    : OktaJson.Error(400, "E0000053", "Invalid SCIM filter.", ex.Message);
            }
        }

        string[] keywords = [];
        if (q.TryGetValue("q", out var qText) && qText.ToString().Length > 0)
        {
            keywords = qText.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (keywords.Length > 10 || keywords.Any(k => k.Length > 40))
                return OktaJson.Error(400, "E0000031", "Invalid search criteria.", "q: at most 10 keywords of at most 40 characters");
        }

        bool Matches(LogEntry e) =>
            e.Published >= now - Retention &&
            (filter is null || filter.Matches(e.Event)) &&
            keywords.All(k => e.Event.ToJsonString().Contains(k, StringComparison.OrdinalIgnoreCase));

        var entries = state.Log.Snapshot();
        var polling = until is null && !descending;
        List<LogEntry> page;
        LogCursor? next;

        if (polling)
        {
            var startSince = since ?? now.AddDays(-7);
            var candidates = cursor is { } cur
                ? entries.Where(e => e.Seq > cur.Seq)
                : entries.Where(e => e.Persisted >= startSince);
            var matching = candidates.Where(Matches).ToList();
            page = matching.Take(limit).ToList();
            var full = page.Count == limit && matching.Count > limit;
            if (full || (limit == 0 && matching.Count > 0))
                next = page.Count > 0 ? LogCursor.ForPolling(page[^1]) : cursor;
            else
            {
                var scannedTo = entries.Count > 0 ? entries[^1] : null;
                next = scannedTo is null ? cursor : LogCursor.ForPolling(scannedTo);
            }
        }
        else
        {
            var upper = until ?? now;
            var lower = cursor?.Since ?? since ?? upper.AddDays(-7);
            var ordered = entries.Where(e => e.Published >= lower && e.Published < upper && Matches(e));
            ordered = descending
                ? ordered.OrderByDescending(e => e.Published).ThenByDescending(e => e.Seq)
                : ordered.OrderBy(e => e.Published).ThenBy(e => e.Seq);
            if (cursor is { } c)
                ordered = ordered.Where(e => descending ? c.IsAfterDescending(e) : c.IsAfterAscending(e));
            var list = ordered.ToList();
            page = list.Take(limit).ToList();
            next = list.Count > page.Count && page.Count > 0 ? LogCursor.ForBounded(page[^1], lower) : null;
        }

        var self = $"{state.BaseUrl}{ctx.Request.Path}{ctx.Request.QueryString}";
        ctx.Response.Headers.Append("link", $"<{self}>; rel=\"self\"");
        if (polling || next is not null)
        {
            var nextParams = new Dictionary<string, string?>();
            foreach (var (k, v) in q)
                if (k is not ("after" or "since")) nextParams[k] = v.ToString();
            if (next is not null) nextParams["after"] = next.ToString();
            else if (since is not null) nextParams["since"] = sinceText.ToString();
            var nextUrl = QueryHelpers.AddQueryString($"{state.BaseUrl}/api/v1/logs", nextParams);
            ctx.Response.Headers.Append("link", $"<{nextUrl}>; rel=\"next\"");
        }

        var body = new JsonArray();
        foreach (var e in page) body.Add(e.Event.DeepClone());
        return OktaJson.Json(body);
    }
}

/// <summary>Opaque "after" cursor: {millis}_{seq} for polling, {millis}_{seq}_{sinceMillis} for bounded queries.</summary>
internal sealed record LogCursor(long Millis, long Seq, DateTimeOffset? Since)
{
    public static LogCursor ForPolling(LogEntry e) => new(e.Persisted.ToUnixTimeMilliseconds(), e.Seq, null);
    public static LogCursor ForBounded(LogEntry e, DateTimeOffset since) => new(e.Published.ToUnixTimeMilliseconds(), e.Seq, since);

    public bool IsAfterAscending(LogEntry e)
    {
        var m = e.Published.ToUnixTimeMilliseconds();
        return m > Millis || (m == Millis && e.Seq > Seq);
    }

    public bool IsAfterDescending(LogEntry e)
    {
        var m = e.Published.ToUnixTimeMilliseconds();
        return m < Millis || (m == Millis && e.Seq < Seq);
    }

    public override string ToString() =>
        Since is { } s ? $"{Millis}_{Seq}_{s.ToUnixTimeMilliseconds()}" : $"{Millis}_{Seq}";

    public static bool TryParse(string text, out LogCursor cursor)
    {
        cursor = null!;
        var parts = text.Split('_');
        if (parts.Length is < 2 or > 3) return false;
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var millis) ||
            !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return false;
        DateTimeOffset? since = null;
        if (parts.Length == 3)
        {
            if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var s)) return false;
            since = DateTimeOffset.FromUnixTimeMilliseconds(s);
        }
        cursor = new LogCursor(millis, seq, since);
        return true;
    }
}
