using System.Text.Json;

namespace IdentiGuard.OktaEmulator.EventHooks;

internal sealed record EventTypeInfo(string Type, string Description, bool EventHookEligible, bool Beta, bool Internal);

/// <summary>Okta's event-type catalogue (embedded okta-event-types.json).</summary>
internal sealed class EventTypeCatalog
{
    private static readonly Lazy<EventTypeCatalog> LazyDefault = new(LoadCore);
    private readonly Dictionary<string, EventTypeInfo> _types;

    private EventTypeCatalog(Dictionary<string, EventTypeInfo> types) => _types = types;

    public static EventTypeCatalog Default => LazyDefault.Value;
    public static EventTypeCatalog Load() => Default;

    public IReadOnlyCollection<EventTypeInfo> All => _types.Values;
    public EventTypeInfo? Find(string type) => _types.GetValueOrDefault(type);
    public bool IsHookEligible(string type) => Find(type)?.EventHookEligible == true;

    private static EventTypeCatalog LoadCore()
    {
        using var stream = typeof(EventTypeCatalog).Assembly.GetManifestResourceStream("okta-event-types.json")
            ?? throw new InvalidOperationException("okta-event-types.json is not embedded");
        using var doc = JsonDocument.Parse(stream);
        var dict = new Dictionary<string, EventTypeInfo>(StringComparer.Ordinal);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var type = e.GetProperty("type").GetString()!;
            dict[type] = new EventTypeInfo(
                type,
                e.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "",
                e.TryGetProperty("eventHookEligible", out var el) && el.ValueKind == JsonValueKind.True,
                e.TryGetProperty("beta", out var b) && b.ValueKind == JsonValueKind.True,
                e.TryGetProperty("internal", out var i) && i.ValueKind == JsonValueKind.True);
        }
        return new EventTypeCatalog(dict);
    }
}
