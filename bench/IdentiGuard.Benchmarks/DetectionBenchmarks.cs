using BenchmarkDotNet.Attributes;
using IdentiGuard.Detection;

namespace IdentiGuard.Benchmarks;

/// <summary>Parse + evaluate throughput on one thread. Each invocation processes <see cref="EventsPerOp"/> events;
/// events/s = EventsPerOp / mean.</summary>
[MemoryDiagnoser]
public class DetectionBenchmarks
{
    public const int EventsPerOp = 20_000;
    private byte[][] _events = [];
    private RulePack _full = null!;
    private RulePack _tenX = null!;

    [GlobalSetup]
    public void Setup()
    {
        _events = BenchData.Events(EventsPerOp);
        _full = BenchData.FullPack();
        _tenX = BenchData.TenTimesPack();
    }

    private TenantDetector _fullDetector = null!;
    private TenantDetector _tenXDetector = null!;

    // A fresh detector per iteration (state and uuid-dedup would otherwise skip the replayed events).
    [IterationSetup(Target = nameof(FullPack))]
    public void SetupFull() => _fullDetector = new TenantDetector(_full, BenchData.AllEnabled, TimeProvider.System);

    [IterationSetup(Target = nameof(TenTimesRules))]
    public void SetupTenX() => _tenXDetector = new TenantDetector(_tenX, BenchData.AllEnabled, TimeProvider.System);

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerOp)]
    public int FullPack() => Run(_fullDetector);

    [Benchmark(OperationsPerInvoke = EventsPerOp)]
    public int TenTimesRules() => Run(_tenXDetector);

    [Benchmark(OperationsPerInvoke = EventsPerOp)]
    public int ParseOnly()
    {
        int n = 0;
        foreach (var e in _events)
        {
            using var ev = OktaEvent.Parse(e);
            n += ev.EventType.Length;
        }
        return n;
    }

    private int Run(TenantDetector d)
    {
        int alerts = 0;
        foreach (var e in _events)
        {
            using var ev = OktaEvent.Parse(e);
            alerts += d.Observe(ev).Count;
        }
        return alerts;
    }
}
