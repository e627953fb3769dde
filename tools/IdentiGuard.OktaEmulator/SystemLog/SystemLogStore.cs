using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.SystemLog;

internal sealed record LogEntry(long Seq, DateTimeOffset Persisted, DateTimeOffset Published, JsonObject Event);

/// <summary>Append-only System Log in persistence order.</summary>
internal sealed class SystemLogStore(TimeProvider time)
{
    private readonly List<LogEntry> _entries = [];
    private readonly Lock _sync = new();
    private long _seq;

    /// <summary>Appends (a clone of) the event, filling uuid/published when missing; returns the stored entry.</summary>
    public LogEntry Append(JsonObject logEvent)
    {
        var ev = (JsonObject)logEvent.DeepClone();
        var now = time.GetUtcNow();
        if (OktaJson.GetString(ev, "uuid") is not { Length: > 0 })
            ev["uuid"] = Guid.NewGuid().ToString();
        DateTimeOffset published;
        var publishedText = OktaJson.GetString(ev, "published");
        if (publishedText is null)
        {
            published = now;
            ev["published"] = OktaJson.Timestamp(now);
        }
        else if (!OktaJson.TryParseTimestamp(publishedText, out published))
        {
            throw new ArgumentException($"published '{publishedText}' is not an ISO-8601 timestamp", nameof(logEvent));
        }

        lock (_sync)
        {
            var entry = new LogEntry(++_seq, now, published, ev);
            _entries.Add(entry);
            return entry;
        }
    }

    public List<LogEntry> Snapshot()
    {
        lock (_sync) return [.. _entries];
    }

    public long MaxSeq
    {
        get { lock (_sync) return _seq; }
    }

    public JsonObject? MostRecentOfType(string eventType)
    {
        lock (_sync)
        {
            for (var i = _entries.Count - 1; i >= 0; i--)
                if (OktaJson.GetString(_entries[i].Event, "eventType") == eventType)
                    return (JsonObject)_entries[i].Event.DeepClone();
        }
        return null;
    }
}
