using IdentiGuard.Data.Alerts;
using IdentiGuard.Server.Alerts;

namespace IdentiGuard.Server.Triage;

/// <summary>
/// The alert filters a person chooses (query string of the list and export endpoints, state of the Alerts page, body of
/// a saved view). <see cref="Assignee"/> is a member's user id, <c>me</c> or <c>none</c>.
/// </summary>
public sealed record AlertViewFilter
{
    public AlertStatus[]? Status { get; init; }
    public AlertSeverity? MinSeverity { get; init; }
    public Guid? TenantId { get; init; }
    public string? RuleId { get; init; }
    public string? Assignee { get; init; }
    public string? Search { get; init; }
    public SuppressedFilter? Suppressed { get; init; }
    public AlertKind? Kind { get; init; }
    public string? EventType { get; init; }
    public string? User { get; init; }
    public string? Ip { get; init; }

    public AlertFilter ToFilter(Guid? currentUserId, int skip = 0, int take = 50) =>
        new(TenantId, MinSeverity, EventType, Search, Kind, skip, take)
        {
            Statuses = Status, RuleId = RuleId, Suppressed = Suppressed ?? SuppressedFilter.Hide, User = User, Ip = Ip,
            AssigneeId = Assignee switch
            {
                "me" => currentUserId ?? Guid.Empty,
                _ when Guid.TryParse(Assignee, out var id) => id,
                _ => null,
            },
            Unassigned = Assignee == "none",
        };

    /// <summary>Binds the query string (<c>?status=New&amp;status=Acknowledged&amp;minSeverity=High…</c>); unknown values are errors.</summary>
    public static (AlertViewFilter? Filter, Dictionary<string, string[]> Errors) FromQuery(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>();
        T? Parse<T>(string name) where T : struct, Enum
        {
            var value = query[name].ToString();
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return parsed;
            errors[name] = [$"Unknown value '{value}'. Use one of: {string.Join(", ", Enum.GetNames<T>())}."];
            return null;
        }
        var statuses = new List<AlertStatus>();
        foreach (var s in query["status"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Enum.TryParse<AlertStatus>(s, ignoreCase: true, out var status) && Enum.IsDefined(status)) statuses.Add(status);
            else errors["status"] = [$"Unknown status '{s}'. Use one of: {string.Join(", ", Enum.GetNames<AlertStatus>())}."];
        }
        Guid? tenantId = null;
        if (query["tenantId"].ToString() is { Length: > 0 } tenant)
        {
            if (Guid.TryParse(tenant, out var t)) tenantId = t;
            else errors["tenantId"] = ["Not a tenant id."];
        }
        var assignee = query["assignee"].ToString();
        if (assignee.Length > 0 && assignee is not ("me" or "none") && !Guid.TryParse(assignee, out _))
            errors["assignee"] = ["Use a member's user id, 'me' or 'none'."];
        var filter = new AlertViewFilter
        {
            Status = statuses.Count > 0 ? [.. statuses] : null, MinSeverity = Parse<AlertSeverity>("minSeverity"), TenantId = tenantId,
            RuleId = Text(query, "ruleId"), Assignee = assignee.Length > 0 ? assignee : null, Search = Text(query, "search"),
            Suppressed = Parse<SuppressedFilter>("suppressed"), Kind = Parse<AlertKind>("kind"), EventType = Text(query, "eventType"),
            User = Text(query, "user"), Ip = Text(query, "ip"),
        };
        return (errors.Count == 0 ? filter : null, errors);
    }

    private static string? Text(IQueryCollection query, string name) => query[name].ToString() is { Length: > 0 } s ? s.Trim() : null;
}
