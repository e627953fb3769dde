using System.Diagnostics;
using BenchmarkDotNet.Running;
using IdentiGuard.Benchmarks;
using IdentiGuard.Detection;

// dotnet run -c Release --project bench/IdentiGuard.Benchmarks -- --quick      (stopwatch, a few seconds)
// dotnet run -c Release --project bench/IdentiGuard.Benchmarks -- --filter '*'  (BenchmarkDotNet)
if (args.Contains("--per-rule"))
{
    var evs = BenchData.Events(3000).Select(b => OktaEvent.Parse(b)).ToList();
    var sw0 = Stopwatch.StartNew();
    foreach (var b in BenchData.Events(3000)) OktaEvent.Parse(b);
    Console.WriteLine($"parse: {sw0.Elapsed.TotalMilliseconds * 1000 / 3000:F1} us/event");
    var times = new List<(string, double, int)>();
    foreach (var c in RulePack.BuiltIn().Compiled.Where(c => c.Condition is not null))
    {
        var sw = Stopwatch.StartNew();
        int m = 0;
        foreach (var e in evs) if (c.Matches(e)) { m++; c.ExplainMatch(e); }
        times.Add((c.Id + (c.EventTypes is null ? " [unindexed]" : ""), sw.Elapsed.TotalMilliseconds * 1000 / evs.Count, m));
    }
    foreach (var (id, us, m) in times.OrderByDescending(t => t.Item2).Take(15)) Console.WriteLine($"{us,8:F2} us/event  matches={m,5}  {id}");
    Console.WriteLine($"total {times.Sum(t => t.Item2):F1} us/event over {times.Count} rules; unindexed {times.Count(t => t.Item1.Contains("unindexed"))}");
    return;
}
if (args.Contains("--profile-corr"))
{
    var evs = BenchData.Events(20000);
    TenantDetector.Profile = new();
    var d = new TenantDetector(RulePack.BuiltIn(), BenchData.AllEnabled, TimeProvider.System);
    foreach (var e in BenchData.Events(5000)) new TenantDetector(RulePack.BuiltIn(), BenchData.AllEnabled, TimeProvider.System).Observe(OktaEvent.Parse(e));
    TenantDetector.Profile.Clear();
    var sw = Stopwatch.StartNew();
    foreach (var e in evs) d.Observe(OktaEvent.Parse(e));
    Console.WriteLine($"total {sw.Elapsed.TotalMilliseconds * 1000 / evs.Length:F1} us/event");
    Console.WriteLine($"sum match {TenantDetector.Profile.Where(x => x.Key.StartsWith("match:")).Sum(x => x.Value) * 1e6 / Stopwatch.Frequency / evs.Length:F1} us/event");
    foreach (var (id, ticks) in TenantDetector.Profile.OrderByDescending(x => x.Value).Take(25))
        Console.WriteLine($"{ticks * 1e6 / Stopwatch.Frequency / evs.Length,8:F2} us/event  {id}");
    return;
}
if (args.Contains("--alloc-profile"))
{
    var events = BenchData.Events(30_000);
    var warm = new TenantDetector(RulePack.BuiltIn(), BenchData.AllEnabled, TimeProvider.System);
    foreach (var e in events.Take(5000)) { using var ev = OktaEvent.Parse(e); warm.Observe(ev); }
    var detector = new TenantDetector(RulePack.BuiltIn(), BenchData.AllEnabled, TimeProvider.System);
    using var profile = new AllocationProfile();
    profile.Start();
    foreach (var e in events) { using var ev = OktaEvent.Parse(e); detector.Observe(ev); }
    profile.Print(events.Length);
    return;
}
if (args.Contains("--quick"))
{
    int count = args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).FirstOrDefault(100_000);
    var swl = Stopwatch.StartNew();
    var events = BenchData.Events(count);
    Console.WriteLine($"generated {events.Length} events in {swl.ElapsedMilliseconds} ms");
    {
        double bestParse = 0;
        for (int round = 0; round < 3; round++)
        {
            var sw = Stopwatch.StartNew();
            int n = 0;
            foreach (var e in events)
            {
                using var ev = OktaEvent.Parse(e);
                n += ev.EventType.Length;
            }
            bestParse = Math.Max(bestParse, events.Length / sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"parse only best={bestParse:N0} events/s");
    }
    foreach (var (name, mk) in new (string, Func<RulePack>)[] { ("full pack", BenchData.FullPack), ("10x rules", () => BenchData.TenTimesPack()) })
    {
        swl.Restart();
        var pack = mk();
        Console.WriteLine($"{name}: loaded in {swl.ElapsedMilliseconds} ms");
        double best = 0;
        int alerts = 0;
        for (int round = 0; round < 3; round++)
        {
            var kinds = args.SkipWhile(a => a != "--disable-kind").Skip(1).FirstOrDefault();
            var settings = kinds is null ? BenchData.AllEnabled : BenchData.AllEnabled with
            {
                DisabledRules = pack.Rules.Where(r => kinds == "all-corr" ? r.Kind != "detection" : kinds.Split(',').Contains(r.Kind)).Select(r => r.Id).ToHashSet(),
            };
            var d = new TenantDetector(pack, settings, TimeProvider.System);
            GC.Collect(); // like BenchmarkDotNet between iterations: the previous round's detector is not this round's cost
            GC.WaitForPendingFinalizers();
            alerts = 0;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var bytes0 = GC.GetAllocatedBytesForCurrentThread();
            var gcs0 = GC.CollectionCount(0);
            var pause0 = GC.GetTotalPauseDuration();
            var sw = Stopwatch.StartNew();
            foreach (var e in events)
            {
                using var ev = OktaEvent.Parse(e);
                alerts += d.Observe(ev).Count;
            }
            sw.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            best = Math.Max(best, events.Length / sw.Elapsed.TotalSeconds);
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / events.Length;
            Console.WriteLine($"  round {round}: wall {events.Length / sw.Elapsed.TotalSeconds:N0} events/s, cpu {events.Length / cpu.TotalSeconds:N0} events/cpu-s, " +
                $"allocated {allocated:N0} B/event, GCs {GC.CollectionCount(0) - gcs0} (gen2 {GC.CollectionCount(2)}), GC pause {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds:N0} ms");
        }
        Console.WriteLine($"{name,-10} rules={pack.Rules.Count,5} events={events.Length} alerts={alerts} best={best:N0} events/s");
    }
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(DetectionBenchmarks).Assembly).Run(args);
