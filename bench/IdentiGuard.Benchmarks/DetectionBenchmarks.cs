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

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerOp)]
    public int FullPack() => Run(_full);

    [Benchmark(OperationsPerInvoke = EventsPerOp)]
    public int TenTimesRules() => Run(_tenX);

    [Benchmark(OperationsPerInvoke = EventsPerOp)]
    public int ParseOnly()
    {
        int n = 0;
        foreach (var e in _events) n += OktaEvent.Parse(e).EventType.Length;
        return n;
    }

    private int Run(RulePack pack)
    {
        var d = new TenantDetector(pack, BenchData.AllEnabled, TimeProvider.System);
        int alerts = 0;
        foreach (var e in _events) alerts += d.Observe(OktaEvent.Parse(e)).Count;
        return alerts;
    }
}
