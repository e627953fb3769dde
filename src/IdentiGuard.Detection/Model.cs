namespace IdentiGuard.Detection;

public enum Severity { Informational, Low, Medium, High, Critical }

public static class SeverityNames
{
    public static string ToWire(this Severity s) => s switch
    {
        Severity.Informational => "informational",
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        _ => "critical",
    };

    public static bool TryParse(string? text, out Severity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "informational": case "info": severity = Severity.Informational; return true;
            case "low": severity = Severity.Low; return true;
            case "medium": severity = Severity.Medium; return true;
            case "high": severity = Severity.High; return true;
            case "critical": severity = Severity.Critical; return true;
            default: severity = Severity.Informational; return false;
        }
    }
}

public sealed record RuleSource(string FileName, string Yaml);

public sealed record RuleInfo(
    string Id,
    string Title,
    string Description,
    Severity Level,
    bool EnabledByDefault,
    IReadOnlyList<string> References,
    IReadOnlyList<string> Tactics,
    IReadOnlyList<string> Techniques,
    IReadOnlyList<string> FalsePositives,
    IReadOnlyDictionary<string, string?> Parameters,
    bool EmitsAlerts)
{
    /// <summary>Sigma <c>name</c> of the rule (null when absent).</summary>
    public string? Name { get; init; }
    /// <summary><c>detection</c> for base rules, else the correlation type (event_count, first_seen, ...).</summary>
    public string Kind { get; init; } = "detection";
    public string FileName { get; init; } = "";
    /// <summary>Ids of the rules a correlation consumes.</summary>
    public IReadOnlyList<string> ConsumesRules { get; init; } = [];
}

public sealed record Finding(
    string RuleId,
    string Title,
    Severity Severity,
    IReadOnlyList<string> References,
    IReadOnlyList<string> Tactics,
    IReadOnlyList<string> Techniques,
    IReadOnlyList<string> EventIds,
    DateTime FirstSeen,
    DateTime LastSeen,
    string GroupKey,
    string DedupKey,
    string Explanation);

public sealed record DetectionSettings(
    IReadOnlySet<string>? EnabledOverrides = null,
    IReadOnlySet<string>? DisabledRules = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Parameters = null,
    bool RunDisabledRules = false)
{
    public static DetectionSettings Default { get; } = new();
    /// <summary>Maximum buffered events per correlation group (oldest dropped beyond it).</summary>
    public int MaxEventsPerGroup { get; init; } = 10_000;
    /// <summary>Maximum correlation groups per rule (least recently updated evicted beyond it).</summary>
    public int MaxGroupsPerRule { get; init; } = 100_000;
    /// <summary>Maximum remembered uuids for duplicate suppression.</summary>
    public int MaxSeenUuids { get; init; } = 1_000_000;
}

public sealed class RuleValidationException : Exception
{
    public RuleValidationException(string file, int line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public string File { get; }
    public int Line { get; }
    public string Reason { get; }
}

public sealed record RuleValidationError(string File, int Line, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Reason}";
}

public sealed record RuleValidationResult(bool IsValid, IReadOnlyList<RuleValidationError> Errors, IReadOnlyList<RuleInfo> Rules);
