using System.Diagnostics;
using System.Globalization;
using System.Net;
using IdentiGuard.LoadTest;
using IdentiGuard.OktaEmulator;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var options = LoadTestOptions.Parse(args, Console.Error);
if (options is null) return 2;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;

try
{
    return await RunAsync(options, ct);
}
catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException)
{
    Console.Error.WriteLine($"load test failed: {ex.Message}");
    return 1;
}

static async Task<int> RunAsync(LoadTestOptions options, CancellationToken ct)
{
    if (options.Tenants > 0)
    {
        using var memorySession = await IdentiGuardSession.SignInAsync(options.Url, options.Email, options.Password, ct);
        Console.WriteLine($"IdentiGuard memory per tenant: {options.Tenants} tenants, then {Math.Min(options.Busy, options.Tenants)} busy at {options.Rate:0.##} deliveries/s of {options.EventsPerDelivery} events for {options.DurationSeconds:0.##} s");
        return await TenantMemoryRun.RunAsync(options, memorySession, ct);
    }

    // Setup: an emulated Okta org in this process, a signed-in IdentiGuard session, a tenant connected to the org.
    await using var okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true }, ct);
    using var session = await IdentiGuardSession.SignInAsync(options.Url, options.Email, options.Password, ct);
    string tenantLine;
    string? setupError = null;
    try
    {
        var tenant = await session.AddTenantAsync(okta.SeedClient.ClientId, okta.SeedClient.ClientSecret, okta.BaseUrl, ct);
        tenantLine = $"{tenant.GetProperty("id")} ({tenant.GetProperty("status")})";
    }
    catch (TenantSetupException ex) when (options.TolerateTenantSetupError)
    {
        setupError = ex.Message;
        tenantLine = "(tenant setup FAILED, see the warning below)";
    }
    var hooks = okta.Hooks;
    if (hooks.Count == 0) throw new InvalidOperationException("Adding the tenant registered no event hook in the emulator.");
    var hook = hooks[0];
    if (setupError is not null)
    {
        if (hook.VerificationStatus != "VERIFIED" || !hook.Uri.StartsWith(options.Url.ToString().TrimEnd('/') + "/hooks/okta/", StringComparison.Ordinal))
            throw new InvalidOperationException($"Adding the tenant failed and the emulator holds no usable hook: {setupError}");
        Console.WriteLine($"WARNING: adding the tenant failed; measuring anyway with the VERIFIED hook the emulator holds. {setupError}");
        Console.WriteLine();
    }
    var secret = hook.AuthSchemeValue ?? throw new InvalidOperationException("The event hook has no auth scheme value.");
    var hookUri = new Uri(hook.Uri);
    if (!IPAddress.TryParse(hookUri.Host, out var hookIp) || !IPAddress.IsLoopback(hookIp))
        Console.Error.WriteLine($"warning: the hook URI {hookUri} is not on a loopback address.");
    var alertsBefore = await session.AlertTotalAsync(ct);

    var deliveries = new DeliveryFactory(okta.BaseUrl, hook.Id);
    var sampleBytes = deliveries.Create(options.EventsPerDelivery).Length;
    var cluster = options.Urls.Count > 0;
    await using var extraTenants = await ExtraTenants.AddAsync(session, cluster ? options.Urls : [options.Url], options.LoadTenants - 1, ct);
    var targets = new DeliveryTargets(cluster ? options.Urls : [new Uri(hookUri.GetLeftPart(UriPartial.Authority) + "/")],
        [new HookTarget(hookUri.PathAndQuery, secret, deliveries), .. extraTenants.Hooks]);
    IReadOnlyList<Uri> metricsHosts = cluster ? options.Urls : [options.Url];

    using var http = new HttpClient(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = options.Concurrency,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    Console.WriteLine("IdentiGuard event hook load test");
    Console.WriteLine($"  server               {options.Url}");
    Console.WriteLine($"  workspace / tenant   {session.WorkspaceId} / {tenantLine}");
    Console.WriteLine($"  hook                 {hook.Id} -> {hookUri} ({hook.Status}, {hook.VerificationStatus}, {hooks.Count} hook(s))");
    if (cluster) Console.WriteLine($"  hosts                {targets.Hosts.Count}: {string.Join(", ", targets.Hosts)} (deliveries and alert probes round-robin, as a load balancer would)");
    if (targets.Hooks.Count > 1) Console.WriteLine($"  tenants              {targets.Hooks.Count}, each with its own emulated Okta org, added through the hosts in turn; deliveries round-robin over their hooks");
    Console.WriteLine($"  mode                 {(options.Rate > 0 ? $"open loop, {options.Rate:0.##} deliveries/s scheduled" : "closed loop (as fast as possible)")}, concurrency {options.Concurrency}");
    Console.WriteLine($"  deliveries           {options.EventsPerDelivery} event(s) each, ~{sampleBytes / 1024.0:0.0} KiB body; mix: {string.Join(", ", DeliveryFactory.EventTypes)}");
    Console.WriteLine($"  time                 {options.WarmupSeconds:0.##} s warm-up + {options.DurationSeconds:0.##} s measured");
    Console.WriteLine();

    // The floor is measured right before and right after the load, so a change in the machine's load shows.
    var floorBefore = options.FloorDatabase is { } schemaSource
        ? Floor.Run(schemaSource, deliveries, options.EventsPerDelivery, options.FloorBatchEvents, TimeSpan.FromSeconds(options.FloorSeconds))
        : null;
    using var probeHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    var scrapeBefore = await ServerMetrics.ScrapeAllAsync(probeHttp, metricsHosts, ct);
    var metricsBefore = scrapeBefore?.Total;
    var self = Process.GetCurrentProcess();
    var servers = options.ServerPids.Select(Process.GetProcessById).ToList();
    var server = servers.FirstOrDefault();
    var runner = new LoadRunner(http, targets, options);
    var start = Stopwatch.GetTimestamp() + LoadRunner.Ticks(0.05);
    var run = runner.RunAsync(start, ct);
    var probe = new AlertProbe(probeHttp, targets.FirstHookOnEachHost, secret, deliveries, session);
    var probing = options.AlertProbesPerSecond > 0
        ? probe.RunAsync(start + LoadRunner.Ticks(options.WarmupSeconds), start + LoadRunner.Ticks(options.WarmupSeconds + options.DurationSeconds), options.AlertProbesPerSecond, ct)
        : Task.CompletedTask;

    // CPU time of the generator (and optionally the server) over the measured window.
    var measureStart = start + LoadRunner.Ticks(options.WarmupSeconds);
    var untilMeasure = LoadRunner.Milliseconds(measureStart - Stopwatch.GetTimestamp());
    if (untilMeasure > 0) await Task.Delay(TimeSpan.FromMilliseconds(untilMeasure), ct);
    var measureInfra = options.InfraPids.Count > 0;
    var cpuStart = (Wall: Stopwatch.GetTimestamp(), Self: CpuOf(self), Servers: servers.Select(CpuOf).ToList(),
        Infra: measureInfra ? ProcCpu.TreeSeconds(options.InfraPids) : 0, Machine: measureInfra ? ProcCpu.Machine() : default);
    var result = await run;
    var cpuEnd = (Wall: Stopwatch.GetTimestamp(), Self: CpuOf(self), Servers: servers.Select(CpuOf).ToList(),
        Infra: measureInfra ? ProcCpu.TreeSeconds(options.InfraPids) : 0, Machine: measureInfra ? ProcCpu.Machine() : default);

    await probing;
    var scrapeAfter = await ServerMetrics.ScrapeAllAsync(probeHttp, metricsHosts, ct);
    var metricsAfter = scrapeAfter?.Total;

    var report = new Report(options, result);
    report.Write(Console.Out);
    double? alertP99 = null;
    if (options.AlertProbesPerSecond > 0)
    {
        var latencies = probe.LatenciesMs.Order().ToArray();
        if (latencies.Length > 0) alertP99 = Report.Percentile(latencies, 99);
        Console.WriteLine(latencies.Length == 0
            ? $"delivery to alert      no probe alert became visible ({probe.Missing} missing)"
            : $"delivery to alert (ms) {Report.Line(latencies)}   ({latencies.Length} probes at {options.AlertProbesPerSecond:0.##}/s, each a new alert, polled every 20 ms; {probe.Missing} missing)");
    }
    if (metricsBefore is not null && metricsAfter is not null)
    {
        var meanBatchEvents = ServerMetrics.Mean(metricsBefore, metricsAfter, "identiguard_hook_batch_events");
        var deliveriesPerCommit = ServerMetrics.Mean(metricsBefore, metricsAfter, "identiguard_hook_batch_deliveries");
        var commitSeconds = ServerMetrics.Mean(metricsBefore, metricsAfter, "identiguard_hook_commit_duration_seconds");
        var commits = metricsAfter["identiguard_hook_commit_duration_seconds_count"] - metricsBefore["identiguard_hook_commit_duration_seconds_count"];
        Console.WriteLine($"group commit           {commits:0} commits (warm-up included): mean {deliveriesPerCommit:0.0} deliveries = {meanBatchEvents:0.0} events per commit, mean commit {commitSeconds * 1000:0.0} ms (server /metrics)");
        var phases = string.Join(", ", new[] { "load", "monitored_alerts", "detect", "detection_alerts", "write_lock", "save" }.Select(phase =>
            $"{phase} {metricsAfter.Sum("identiguard_detection_phase_duration_seconds_sum", phase) - metricsBefore.Sum("identiguard_detection_phase_duration_seconds_sum", phase):0.0} s"));
        var processed = metricsAfter["identiguard_detection_events_total"] - metricsBefore["identiguard_detection_events_total"];
        Console.WriteLine($"processing             {processed:0} events processed by the end of the window; time per phase: {phases} (server /metrics)");
        var answered = metricsAfter["identiguard_hook_deliveries_total"] - metricsBefore["identiguard_hook_deliveries_total"];
        Console.WriteLine($"server memory          working set {metricsAfter["dotnet_process_memory_working_set_bytes"] / 1048576:0} MiB, GC heap after last collection {metricsAfter["dotnet_gc_last_collection_heap_size_bytes"] / 1048576:0} MiB (server /metrics, {answered:0} deliveries answered in all){(cluster ? ", summed over the hosts" : "")}");
        if (cluster && scrapeBefore is { } b && scrapeAfter is { } a)
            Console.WriteLine("per host               " + string.Join("; ", options.Urls.Select((url, i) =>
                $"{url.Authority}: {a.PerHost[i]["identiguard_hook_deliveries_total"] - b.PerHost[i]["identiguard_hook_deliveries_total"]:0} deliveries answered, "
                + $"{a.PerHost[i]["identiguard_detection_events_total"] - b.PerHost[i]["identiguard_detection_events_total"]:0} events processed")) + " (warm-up included)");
    }
    var cores = Environment.ProcessorCount;
    var wall = (cpuEnd.Wall - cpuStart.Wall) / (double)Stopwatch.Frequency;
    Console.WriteLine($"machine                {cores} logical core(s) (Environment.ProcessorCount), {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}");
    Console.WriteLine($"generator CPU          {(cpuEnd.Self - cpuStart.Self).TotalSeconds:0.00} s over {wall:0.00} s wall = {Share(cpuEnd.Self - cpuStart.Self, wall, cores)} of {cores} core(s)");
    var serverCpu = cpuEnd.Servers.Zip(cpuStart.Servers, (e, s) => e - s).ToList();
    var serverTotal = serverCpu.Aggregate(TimeSpan.Zero, (sum, t) => sum + t);
    if (serverCpu.Count == 1)
        Console.WriteLine($"server CPU (pid {options.ServerPids[0]})  {serverTotal.TotalSeconds:0.00} s over {wall:0.00} s wall = {Share(serverTotal, wall, cores)} of {cores} core(s)");
    else if (serverCpu.Count > 1)
        Console.WriteLine($"server CPU ({serverCpu.Count} pids)    {serverTotal.TotalSeconds:0.00} s over {wall:0.00} s wall = {Share(serverTotal, wall, cores)} of {cores} core(s); "
            + $"per pid: {string.Join(", ", serverCpu.Select((t, i) => $"{options.ServerPids[i]} {t.TotalSeconds / wall * 100:0}%"))} of one core");
    if (measureInfra)
    {
        var infra = TimeSpan.FromSeconds(cpuEnd.Infra - cpuStart.Infra);
        Console.WriteLine($"infra CPU              {infra.TotalSeconds:0.00} s over {wall:0.00} s wall = {Share(infra, wall, cores)} of {cores} core(s) (pids {string.Join(",", options.InfraPids)} and their children, /proc)");
        Console.WriteLine($"machine CPU            {MachineBusy(cpuStart.Machine, cpuEnd.Machine):0.0}% of {cores} core(s) busy over the window (/proc/stat: every process, this tool and anything else running included)");
    }

    // The events must have arrived: processing happens after acknowledgement, so poll for alerts for a while.
    var waited = Stopwatch.StartNew();
    var alerts = await session.AlertTotalAsync(ct);
    while (alerts <= alertsBefore && waited.Elapsed < TimeSpan.FromSeconds(60))
    {
        await Task.Delay(500, ct);
        alerts = await session.AlertTotalAsync(ct);
    }
    Console.WriteLine($"alerts                 GET /api/workspaces/{{id}}/alerts?take=1 -> total {alerts} (before the run: {alertsBefore}; checked after {waited.Elapsed.TotalSeconds:0.0} s)");
    if (options.FloorDatabase is { } floorDatabase && floorBefore is not null)
    {
        await WaitForIdleServerAsync(server, ct);
        var floorAfter = Floor.Run(floorDatabase, deliveries, options.EventsPerDelivery, options.FloorBatchEvents, TimeSpan.FromSeconds(options.FloorSeconds));
        var app = result.OkInWindow * options.EventsPerDelivery / options.DurationSeconds;
        foreach (var (when, floor) in new[] { ("before", floorBefore), ("after", floorAfter) })
            Console.WriteLine($"floor ({when,-6})         {floor.EventsPerSecond:0} events/s: {floor.Events} events in {floor.Commits} commits of {floor.BatchEvents} events over {floor.Elapsed.TotalSeconds:0.0} s (one thread: parse + insert, WAL, synchronous=FULL)");
        var mean = (floorBefore.EventsPerSecond + floorAfter.EventsPerSecond) / 2;
        Console.WriteLine($"app / floor            {app:0} / {mean:0} events/s (mean of the two floors) = {app / mean:0.00}; the floor is {mean / Math.Max(1, app):0.0}x the app's server throughput");
    }

    var ok = alerts > alertsBefore && report.Errors == 0 && result.Unsent == 0 && setupError is null;
    if (options.SummaryFile is { } summary)
    {
        // events/s  ack-median  ack-p99  alert-p99  server-cpu%  generator-cpu%  infra-cpu%  machine-busy%  errors  result
        var ack = result.Measured.Select(x => LoadRunner.Milliseconds(x.Done - x.Scheduled)).Order().ToArray();
        string Pct(double seconds) => wall > 0 ? $"{seconds / (wall * cores) * 100:0.0}" : "-";
        await File.AppendAllTextAsync(summary, string.Join('\t',
            $"{result.OkInWindow * options.EventsPerDelivery / options.DurationSeconds:0}",
            ack.Length > 0 ? $"{Report.Percentile(ack, 50):0.0}" : "-", ack.Length > 0 ? $"{Report.Percentile(ack, 99):0.0}" : "-",
            alertP99 is { } p ? $"{p:0}" : "-",
            serverCpu.Count > 0 ? Pct(serverTotal.TotalSeconds) : "-", Pct((cpuEnd.Self - cpuStart.Self).TotalSeconds),
            measureInfra ? Pct(cpuEnd.Infra - cpuStart.Infra) : "-", measureInfra ? $"{MachineBusy(cpuStart.Machine, cpuEnd.Machine):0.0}" : "-",
            $"{report.Errors + result.Unsent}", ok ? "OK" : "FAILED") + "\n", ct);
    }
    Console.WriteLine($"result                 {(ok ? "OK" : "FAILED")}{(report.Errors > 0 ? $": {report.Errors} error response(s)" : "")}{(result.Unsent > 0 ? $"; {result.Unsent} due but never sent (server too slow for the rate)" : "")}{(alerts <= alertsBefore ? "; no alert appeared" : "")}{(setupError is null ? "" : "; tenant setup failed")}");
    return ok ? 0 : 1;
}

// The floor runs on the same machine: wait until the server has worked off the backlog (below 25 % of one core over a
// second), at most 60 s, so the two do not share the CPU.
static async Task WaitForIdleServerAsync(Process? server, CancellationToken ct)
{
    if (server is null) return;
    var waited = Stopwatch.StartNew();
    while (waited.Elapsed < TimeSpan.FromSeconds(60))
    {
        server.Refresh();
        var before = server.TotalProcessorTime;
        await Task.Delay(1000, ct);
        server.Refresh();
        if ((server.TotalProcessorTime - before).TotalSeconds < 0.25) break;
    }
    Console.WriteLine($"server idle            after {waited.Elapsed.TotalSeconds:0.0} s (processing the backlog)");
}

static TimeSpan CpuOf(Process process)
{
    process.Refresh();
    return process.TotalProcessorTime;
}

static double MachineBusy((double Busy, double Total) start, (double Busy, double Total) end) =>
    end.Total > start.Total ? (end.Busy - start.Busy) / (end.Total - start.Total) * 100 : 0;

static string Share(TimeSpan cpu, double wallSeconds, int cores) =>
    wallSeconds <= 0 ? "n/a" : $"{cpu.TotalSeconds / (wallSeconds * cores) * 100:0.0}% ({cpu.TotalSeconds / wallSeconds * 100:0}% of one core)";
