using System.Text;
using System.Text.Json;

namespace IdentiGuard.Detection;

/// <summary><c>detect --input &lt;file&gt; [--rules &lt;dir&gt;]... [--no-builtin] [--all-rules] [--param rule:name=value]...</c>
/// Offline detection over a file of Okta events; one JSON object per alert on stdout.</summary>
public static class DetectCommand
{
    public const string Usage = "usage: detect --input <file|-> [--rules <dir>]... [--no-builtin] [--all-rules] [--param <ruleId>:<name>=<value>]...";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        string? input = null;
        var ruleDirs = new List<string>();
        bool builtIn = true, allRules = false;
        var parameters = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        int start = args.Length > 0 && args[0] == "detect" ? 1 : 0;
        for (int i = start; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--input": case "-i": input = Next(); break;
                case "--rules": case "-r":
                    if (Next() is { } d) ruleDirs.Add(d);
                    else { await stderr.WriteLineAsync("--rules needs a directory\n" + Usage); return 2; }
                    break;
                case "--no-builtin": builtIn = false; break;
                case "--all-rules": allRules = true; break;
                case "--param":
                    var p = Next();
                    var colon = p?.IndexOf(':') ?? -1;
                    var eq = p?.IndexOf('=', Math.Max(colon, 0)) ?? -1;
                    if (p is null || colon <= 0 || eq <= colon + 1) { await stderr.WriteLineAsync("--param needs <ruleId>:<name>=<value>"); return 2; }
                    var rid = p[..colon];
                    if (!parameters.TryGetValue(rid, out var pd)) parameters[rid] = pd = new Dictionary<string, string>(StringComparer.Ordinal);
                    pd[p[(colon + 1)..eq]] = p[(eq + 1)..];
                    break;
                case "-h": case "--help":
                    await stderr.WriteLineAsync(Usage);
                    return 0;
                default:
                    await stderr.WriteLineAsync($"unknown argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }
        if (input is null) { await stderr.WriteLineAsync("--input is required\n" + Usage); return 2; }

        RulePack pack;
        try
        {
            var sources = new List<RuleSource>();
            foreach (var dir in ruleDirs)
            {
                if (!Directory.Exists(dir)) { await stderr.WriteLineAsync($"{dir}: rules directory not found"); return 2; }
                sources.AddRange(RulePack.ReadDirectory(dir));
            }
            pack = builtIn && sources.Count == 0 ? RulePack.BuiltIn() : RulePack.Load(sources, builtIn);
        }
        catch (RuleValidationException ex)
        {
            await stderr.WriteLineAsync($"{ex.File}:{ex.Line}: {ex.Reason}");
            return 2;
        }

        string text;
        try
        {
            text = input == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(input, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"{input}: cannot read input: {ex.Message}");
            return 2;
        }

        List<OktaEvent> events;
        try
        {
            events = EventFileReader.Read(text);
        }
        catch (EventFileException ex)
        {
            await stderr.WriteLineAsync($"{input}:{ex.Line}: {ex.Message}");
            return 2;
        }
        await stderr.WriteLineAsync($"read {events.Count} events; running {pack.Rules.Count} rules");

        var settings = new DetectionSettings(null, null,
            parameters.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value), allRules);
        var detector = new TenantDetector(pack, settings, TimeProvider.System);
        int alerts = 0;
        var ordered = events.Select((e, i) => (e, i)).OrderBy(x => x.e.Published).ThenBy(x => x.i).Select(x => x.e);
        foreach (var e in ordered)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var f in detector.Observe(e)) { await stdout.WriteLineAsync(ToJson(f)); alerts++; }
        }
        foreach (var f in detector.Flush(DateTime.MaxValue)) { await stdout.WriteLineAsync(ToJson(f)); alerts++; }
        await stdout.FlushAsync(ct);
        await stderr.WriteLineAsync($"{alerts} alerts");
        return 0;
    }

    public static string ToJson(Finding f)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("ruleId", f.RuleId);
            w.WriteString("title", f.Title);
            w.WriteString("severity", f.Severity.ToWire());
            WriteArray(w, "references", f.References);
            WriteArray(w, "eventIds", f.EventIds);
            w.WriteString("firstSeen", Iso(f.FirstSeen));
            w.WriteString("lastSeen", Iso(f.LastSeen));
            WriteArray(w, "tactics", f.Tactics);
            WriteArray(w, "techniques", f.Techniques);
            w.WriteString("groupKey", f.GroupKey);
            w.WriteString("dedupKey", f.DedupKey);
            w.WriteString("explanation", f.Explanation);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string Iso(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<string> items)
    {
        w.WriteStartArray(name);
        foreach (var s in items) w.WriteStringValue(s);
        w.WriteEndArray();
    }
}

public sealed class EventFileException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>Reads JSON Lines of LogEvents or event-hook envelopes, a single envelope/event, or a JSON array.</summary>
public static class EventFileReader
{
    public static List<OktaEvent> Read(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length == 0) return [];
        if (trimmed[0] == '[') return ReadWhole(text);
        var result = new List<OktaEvent>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException ex)
            {
                // Maybe a single pretty-printed JSON document.
                try { return ReadWhole(text); }
                catch (EventFileException) { }
                throw new EventFileException(i + 1, "invalid JSON: " + ex.Message);
            }
            using (doc) AddValue(doc.RootElement, line, i + 1, result);
        }
        return result;
    }

    private static List<OktaEvent> ReadWhole(string text)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException ex) { throw new EventFileException((int)(ex.LineNumber ?? 0) + 1, "invalid JSON: " + ex.Message); }
        var result = new List<OktaEvent>();
        using (doc)
        {
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                var lines = ElementLines(text);
                int k = 0;
                foreach (var el in doc.RootElement.EnumerateArray())
                {
                    AddValue(el, el.GetRawText(), k < lines.Count ? lines[k] : 1, result);
                    k++;
                }
            }
            else AddValue(doc.RootElement, text, 1, result);
        }
        return result;
    }

    private static List<int> ElementLines(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes);
        var lines = new List<int>();
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
            {
                int line = 1;
                var upto = (int)reader.TokenStartIndex;
                for (int i = 0; i < upto; i++) if (bytes[i] == (byte)'\n') line++;
                lines.Add(line);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
        }
        return lines;
    }

    private static void AddValue(JsonElement el, string sourceText, int line, List<OktaEvent> into)
    {
        if (el.ValueKind == JsonValueKind.Array)
        {
            foreach (var x in el.EnumerateArray()) AddValue(x, x.GetRawText(), line, into);
            return;
        }
        if (el.ValueKind != JsonValueKind.Object) throw new EventFileException(line, $"expected a JSON object, got {el.ValueKind}");
        var et = JsonPath.GetProperty(el, "eventType");
        var data = JsonPath.GetProperty(el, "data");
        if (et is { ValueKind: JsonValueKind.String } e && e.GetString() == "com.okta.event_hook"
            || data is { ValueKind: JsonValueKind.Object } && JsonPath.GetProperty(data.Value, "events") is { ValueKind: JsonValueKind.Array } && et is { ValueKind: JsonValueKind.String } e2 && e2.GetString()!.StartsWith("com.okta.", StringComparison.Ordinal))
        {
            if (data is not { ValueKind: JsonValueKind.Object } d || JsonPath.GetProperty(d, "events") is not { ValueKind: JsonValueKind.Array } evs)
                throw new EventFileException(line, "event-hook envelope without data.events");
            foreach (var x in evs.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Object) throw new EventFileException(line, "data.events must hold objects");
                into.Add(Make(x, x.GetRawText(), line));
            }
            return;
        }
        // test-corpus wrappers such as {"source": ..., "event": {LogEvent}} or {"source": ..., "payload": {envelope}}
        if (et is null && JsonPath.GetProperty(el, "published") is null)
        {
            foreach (var wrapper in new[] { "event", "payload" })
            {
                if (JsonPath.GetProperty(el, wrapper) is { ValueKind: JsonValueKind.Object } inner && JsonPath.GetProperty(inner, "eventType") is not null)
                {
                    AddValue(inner, inner.GetRawText(), line, into);
                    return;
                }
            }
        }
        into.Add(Make(el, sourceText, line));
    }

    private static OktaEvent Make(JsonElement el, string sourceText, int line)
    {
        try
        {
            return OktaEvent.FromJson(el, OktaEvent.SyntheticUuid(sourceText));
        }
        catch (FormatException ex)
        {
            throw new EventFileException(line, ex.Message);
        }
    }
}
