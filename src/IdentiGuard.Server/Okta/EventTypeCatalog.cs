using System.Text.Json;

namespace IdentiGuard.Server.Okta;

public sealed record OktaEventType(string Type, string Description, bool EventHookEligible, string Category, string CategoryName, bool OieOnly, bool Beta, bool Internal, bool PublishedInDocs);

/// <summary>
/// Okta's event-type catalogue (release 2026.08.1), shipped with the product. The tenant form offers the published
/// hook-eligible types (subscribed on the event hook) and the published System-Log-only types (collected by polling).
/// </summary>
public sealed class EventTypeCatalog
{
    public EventTypeCatalog()
    {
        using var stream = typeof(EventTypeCatalog).Assembly.GetManifestResourceStream("okta-event-types.json")
            ?? throw new InvalidOperationException("The Okta event-type catalogue is missing from the build.");
        All = JsonSerializer.Deserialize<List<OktaEventType>>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        HookEligible = All.Where(t => t.EventHookEligible && t.PublishedInDocs).OrderBy(t => t.CategoryName).ThenBy(t => t.Type).ToList();
        SystemLogOnly = All.Where(t => !t.EventHookEligible && t.PublishedInDocs).OrderBy(t => t.CategoryName).ThenBy(t => t.Type).ToList();
        systemLogOnlyTypes = SystemLogOnly.Select(t => t.Type).ToHashSet(StringComparer.Ordinal);
        byType = All.ToDictionary(t => t.Type, StringComparer.Ordinal);
        hookEligibleTypes = HookEligible.Select(t => t.Type).ToHashSet(StringComparer.Ordinal);
    }

    private readonly Dictionary<string, OktaEventType> byType;
    private readonly HashSet<string> hookEligibleTypes;
    private readonly HashSet<string> systemLogOnlyTypes;

    public IReadOnlyList<OktaEventType> All { get; }

    /// <summary>Published (not beta, not internal) event types that Okta can deliver by event hook.</summary>
    public IReadOnlyList<OktaEventType> HookEligible { get; }

    public bool IsHookEligible(string type) => hookEligibleTypes.Contains(type);

    /// <summary>
    /// Published event types Okta writes to the System Log but cannot deliver by hook (<c>security.threat.detected</c>,
    /// <c>policy.evaluate_sign_on</c>, …): IdentiGuard collects them by polling the System Log.
    /// </summary>
    public IReadOnlyList<OktaEventType> SystemLogOnly { get; }

    public bool IsSystemLogOnly(string type) => systemLogOnlyTypes.Contains(type);

    /// <summary>A type the tenant form offers: hook-eligible or collected from the System Log.</summary>
    public bool IsMonitorable(string type) => hookEligibleTypes.Contains(type) || systemLogOnlyTypes.Contains(type);

    public OktaEventType? Find(string type) => byType.GetValueOrDefault(type);
}
