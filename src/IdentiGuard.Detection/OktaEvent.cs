using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IdentiGuard.Detection;

/// <summary>One Okta System Log LogEvent. Field paths resolve case-insensitively; embedded
/// <c>{k=v, ...}</c> and JSON strings are parsed on demand when a path continues into them.</summary>
public sealed class OktaEvent : IDisposable
{
    private JsonDocument? _doc;

    private readonly byte[]? _utf8;
    private string? _raw;

    private OktaEvent(JsonElement root, byte[]? utf8, string? raw, string? fallbackUuid, DateTime? fallbackPublished)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new FormatException("an Okta event must be a JSON object");
        Root = root;
        _utf8 = utf8;
        _raw = raw;
        var uuid = JsonPath.GetProperty(root, "uuid");
        Uuid = uuid is { ValueKind: JsonValueKind.String } u && !string.IsNullOrEmpty(u.GetString())
            ? u.GetString()!
            : fallbackUuid ?? SyntheticUuid(RawJson);
        var et = JsonPath.GetProperty(root, "eventType");
        EventType = et is { ValueKind: JsonValueKind.String } e ? e.GetString() ?? "" : "";
        var pub = JsonPath.GetProperty(root, "published");
        if (pub is { ValueKind: JsonValueKind.String } p0 && p0.TryGetDateTime(out var dt))
            Published = dt.Kind switch
            {
                DateTimeKind.Utc => dt,
                DateTimeKind.Local => dt.ToUniversalTime(),
                _ => DateTime.SpecifyKind(dt, DateTimeKind.Utc), // no zone means UTC
            };
        else if (pub is { ValueKind: JsonValueKind.String } p && Timestamps.TryParse(p.GetString(), out var t))
            Published = t;
        else if (fallbackPublished is { } fp)
            Published = fp;
        else
            throw new FormatException(pub is null ? "event has no 'published' timestamp" : $"unreadable 'published' timestamp {pub.Value.GetRawText()}");
    }

    public JsonElement Root { get; }

    /// <summary>Returns the parser's pooled buffers. Optional; the detector keeps no reference to events after
    /// <see cref="TenantDetector.Observe"/> returns, so a caller may dispose an event once it has been observed.</summary>
    public void Dispose()
    {
        _arena?.Return();
        _arena = null;
        _tree = null;
        _disposed = true;
        _doc?.Dispose();
        _doc = null;
    }
    public string Uuid { get; }
    public DateTime Published { get; }
    public string EventType { get; }
    public string RawJson => _raw ??= Encoding.UTF8.GetString(_utf8!);

    public static OktaEvent Parse(ReadOnlySpan<byte> utf8Json, string? fallbackUuid = null, DateTime? fallbackPublished = null)
        => Parse(utf8Json.ToArray(), fallbackUuid, fallbackPublished);

    /// <summary>Parses without copying: the event keeps a reference to <paramref name="utf8Json"/> (do not modify it).</summary>
    public static OktaEvent Parse(byte[] utf8Json, string? fallbackUuid = null, DateTime? fallbackPublished = null)
    {
        var doc = JsonDocument.Parse(utf8Json);
        try
        {
            return new OktaEvent(doc.RootElement, utf8Json, null, fallbackUuid, fallbackPublished) { _doc = doc };
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    public static OktaEvent Parse(string json, string? fallbackUuid = null, DateTime? fallbackPublished = null)
    {
        var ev = Parse(Encoding.UTF8.GetBytes(json), fallbackUuid, fallbackPublished);
        ev._raw = json; // keyword rules read the text: no need to decode it again
        return ev;
    }

    public static OktaEvent FromJson(JsonElement element, string? fallbackUuid = null, DateTime? fallbackPublished = null)
    {
        var clone = element.Clone();
        return new OktaEvent(clone, null, clone.GetRawText(), fallbackUuid, fallbackPublished);
    }

    /// <summary>Deterministic synthetic uuid (SHA-256 of the text) for events without one.</summary>
    public static string SyntheticUuid(string text)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return "synthetic-" + new Guid(h.AsSpan(0, 16)).ToString();
    }

    /// <summary>First value at a dot path as text (null when absent/null). Arrays yield their first element.</summary>
    public string? GetString(string path) => JsonPath.FirstText(this, JsonPath.Split(path));

    /// <summary>All leaf values at a dot path as text (array elements expanded).</summary>
    public IReadOnlyList<string> GetValues(string path)
    {
        var list = new List<string>();
        JsonPath.Collect(this, JsonPath.Split(path), 0, Tree, list);
        return list;
    }

    private JNode? _tree;
    private NodeArena? _arena;
    private bool _disposed;

    internal JNode Tree
    {
        get
        {
            if (_tree is not null) return _tree;
            ObjectDisposedException.ThrowIf(_disposed, this);
            _arena = NodeArena.Rent();
            return _tree = _arena.Node(Root);
        }
    }
}

internal static class Timestamps
{
    public static bool TryParse(string? text, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        // Normalise "YYYY-MM-DD HH:MM:SS(.f*)" and trim fractions to 7 digits.
        var sb = new StringBuilder(s.Length + 1);
        int i = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (i == 10 && (c == ' ' || c == 't')) { sb.Append('T'); continue; }
            if (c == '.' && i > 10)
            {
                sb.Append('.');
                int digits = 0; i++;
                while (i < s.Length && char.IsAsciiDigit(s[i])) { if (digits < 7) sb.Append(s[i]); digits++; i++; }
                if (digits == 0) sb.Append('0');
                i--;
                continue;
            }
            sb.Append(c == 'z' ? 'Z' : c);
        }
        var norm = sb.ToString();
        bool hasZone = norm.Length > 10 && (norm.EndsWith('Z') || HasOffset(norm));
        if (!hasZone) norm += "Z";
        if (DateTimeOffset.TryParse(norm, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
        {
            utc = DateTime.SpecifyKind(dto.UtcDateTime, DateTimeKind.Utc);
            return true;
        }
        return false;
    }

    private static bool HasOffset(string s)
    {
        var tIdx = s.IndexOf('T');
        if (tIdx < 0) return false;
        var rest = s.AsSpan(tIdx);
        return rest.LastIndexOfAny('+', '-') > 0;
    }
}

internal static class EmbeddedFormats
{
    public static JsonElement? TryParse(string s)
    {
        var t = s.Trim();
        if (t.Length < 2) return null;
        if ((t[0] == '{' && t[^1] == '}') || (t[0] == '[' && t[^1] == ']'))
        {
            try
            {
                using var doc = JsonDocument.Parse(t);
                return doc.RootElement.Clone();
            }
            catch (JsonException) { }
            if (t[0] == '{') return ParseKeyValue(t[1..^1]);
        }
        return null;
    }

    /// <summary>Okta's <c>{New Device=POSITIVE, New IP=NEGATIVE}</c> / <c>{reasons=a, b, level=HIGH}</c> format.</summary>
    private static JsonElement? ParseKeyValue(string body)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in body.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                var key = part[..eq].Trim();
                if (key.Length > 0)
                {
                    pairs.Add(new(key, part[(eq + 1)..].Trim()));
                    continue;
                }
            }
            if (pairs.Count == 0) return null;
            var last = pairs[^1];
            pairs[^1] = new(last.Key, last.Value + ", " + part.Trim());
        }
        if (pairs.Count == 0) return null;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (var (k, v) in pairs) w.WriteString(k, v);
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(ms.ToArray());
        return doc.RootElement.Clone();
    }
}

internal static class JsonPath
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> SplitCache = new(StringComparer.Ordinal);

    private static int _splitCacheSize;

    public static string[] Split(string path)
    {
        if (SplitCache.TryGetValue(path, out var segs)) return segs;
        segs = path.Split('.');
        if (Volatile.Read(ref _splitCacheSize) < 10_000 && SplitCache.TryAdd(path, segs)) Interlocked.Increment(ref _splitCacheSize);
        return segs;
    }

    public static JsonElement? GetProperty(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        if (obj.TryGetProperty(name, out var v)) return v;
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }

    /// <summary>Step one segment from a value: object property, array index, or into an embedded string.</summary>
    public static JNode? Step(JNode v, string seg)
    {
        switch (v.Kind)
        {
            case JsonValueKind.Object:
                return v.Get(seg);
            case JsonValueKind.String:
                return v.Embedded is { } e ? Step(e, seg) : null;
            case JsonValueKind.Array:
                if (int.TryParse(seg, NumberStyles.None, CultureInfo.InvariantCulture, out var idx))
                {
                    var items = v.Items;
                    return idx < items.Length ? items[idx] : null;
                }
                return null;
            default:
                return null;
        }
    }

    public static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => v.GetRawText(),
    };

    public static string? FirstText(OktaEvent ev, string[] segs) => FirstText(ev.Tree, segs, 0);

    private static string? FirstText(JNode? cur, string[] segs, int i)
    {
        for (; i < segs.Length && cur is not null; i++)
        {
            if (cur.Kind == JsonValueKind.Array && !char.IsAsciiDigit(segs[i][0]))
            {
                foreach (var el in cur.Items)
                {
                    var r = FirstText(el, segs, i);
                    if (r is not null) return r;
                }
                return null;
            }
            cur = Step(cur, segs[i]);
        }
        if (cur is null) return null;
        if (cur.Kind == JsonValueKind.Array)
        {
            foreach (var el in cur.Items) { var t = el.Text; if (t is not null) return t; }
            return null;
        }
        return cur.Text;
    }

    public static void Collect(OktaEvent ev, string[] segs, int i, JNode cur, List<string> into)
    {
        if (cur.Kind == JsonValueKind.Array && (i >= segs.Length || !char.IsAsciiDigit(segs[i][0])))
        {
            foreach (var el in cur.Items) Collect(ev, segs, i, el, into);
            return;
        }
        if (i >= segs.Length)
        {
            var t = cur.Text;
            if (t is not null) into.Add(t);
            return;
        }
        if (Step(cur, segs[i]) is { } next) Collect(ev, segs, i + 1, next, into);
    }
}
