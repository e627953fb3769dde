using System.Diagnostics.Tracing;

namespace IdentiGuard.Benchmarks;

/// <summary>Samples the runtime's allocation ticks (one per ~100 KB allocated) and counts them by type, so the
/// biggest allocators of the detection path can be named. Diagnostic mode: <c>--alloc-profile</c>.</summary>
internal sealed class AllocationProfile : EventListener
{
    private readonly Dictionary<string, long> _bytesByType = [];
    private bool _enabled;

    public void Start()
    {
        _enabled = true;
        foreach (var source in EventSource.GetSources())
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (_enabled && source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? e.Payload[i] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(e.Payload[j]) : 100_000;
        lock (_bytesByType) _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
    }

    public void Print(int events, int top = 25)
    {
        lock (_bytesByType)
            foreach (var (type, bytes) in _bytesByType.OrderByDescending(x => x.Value).Take(top))
                Console.WriteLine($"{bytes / (double)events,8:N0} B/event  {type}");
    }
}
