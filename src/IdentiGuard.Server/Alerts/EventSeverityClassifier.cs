using System.Text.Json;
using IdentiGuard.Data.Alerts;

namespace IdentiGuard.Server.Alerts;

/// <summary>The shipped classification of Okta event types (<c>event-severity.json</c>) for monitored-event alerts.</summary>
public sealed class EventSeverityClassifier
{
    private sealed record Rule(string Pattern, string Severity);

    private sealed record Classification(string Default, List<Rule> Rules);

    private readonly List<(string Prefix, bool Wildcard, AlertSeverity Severity)> rules;
    private readonly AlertSeverity fallback;

    public EventSeverityClassifier()
    {
        using var stream = typeof(EventSeverityClassifier).Assembly.GetManifestResourceStream("event-severity.json")!;
        var data = JsonSerializer.Deserialize<Classification>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        fallback = Parse(data.Default);
        rules = data.Rules.Select(r => (r.Pattern.TrimEnd('*'), r.Pattern.EndsWith('*'), Parse(r.Severity))).ToList();
    }

    public AlertSeverity Classify(string eventType)
    {
        foreach (var (prefix, wildcard, severity) in rules)
            if (wildcard ? eventType.StartsWith(prefix, StringComparison.Ordinal) : eventType == prefix) return severity;
        return fallback;
    }

    private static AlertSeverity Parse(string s) => Enum.Parse<AlertSeverity>(s, ignoreCase: true);
}
