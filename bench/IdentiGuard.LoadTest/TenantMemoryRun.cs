using System.Diagnostics;
using IdentiGuard.OktaEmulator;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.LoadTest;

/// <summary>
/// Memory per tenant: adds <c>--tenants</c> tenants through the API, as an administrator would, against emulated Okta
/// orgs in this process (Okta allows 25 active event hooks per org, so one org per 25 tenants), lets them settle
/// (pollers started, idle), and reads the server's memory from its <c>/metrics</c>; then makes <c>--busy</c> of them
/// busy (hook deliveries round-robin at <c>--rate</c>) and reads it again. Per-tenant figures are the growth over the
/// server's memory before the tenants were added, divided by the number of tenants.
/// </summary>
internal static class TenantMemoryRun
{
    private const int TenantsPerOrg = 20;

    public static async Task<int> RunAsync(LoadTestOptions options, IdentiGuardSession session, CancellationToken ct)
    {
        using var metricsHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var baseline = await SettledMemoryAsync(metricsHttp, options.Url, "no tenant", ct);
        if (baseline is null)
        {
            Console.Error.WriteLine("The server's /metrics is not reachable from here (disabled, or not loopback): memory cannot be read.");
            return 1;
        }

        var orgs = new List<EmulatedOkta>();
        var tenants = new List<(EmulatedOkta Org, Guid Id)>();
        try
        {
            var clock = Stopwatch.StartNew();
            for (var created = 0; created < options.Tenants;)
            {
                var org = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true }, ct);
                orgs.Add(org);
                var batch = Math.Min(TenantsPerOrg, options.Tenants - created);
                // A few at a time: each add calls Okta several times (token, hook create, verify, first poll).
                using var slots = new SemaphoreSlim(4);
                var added = await Task.WhenAll(Enumerable.Range(0, batch).Select(async _ =>
                {
                    await slots.WaitAsync(ct);
                    try
                    {
                        var tenant = await session.AddTenantAsync(org.SeedClient.ClientId, org.SeedClient.ClientSecret, org.BaseUrl, ct);
                        return (org, tenant.GetProperty("id").GetGuid());
                    }
                    finally
                    {
                        slots.Release();
                    }
                }));
                tenants.AddRange(added);
                created += batch;
                if (created % 100 == 0 || created == options.Tenants)
                    Console.WriteLine($"  {created} tenants added ({clock.Elapsed.TotalSeconds:0} s)");
            }

            var idle = await SettledMemoryAsync(metricsHttp, options.Url, $"{tenants.Count} idle tenants", ct);
            Console.WriteLine();
            Print("idle", baseline, idle!, tenants.Count);

            var busy = tenants.Take(options.Busy).ToList();
            if (busy.Count > 0)
            {
                await DriveAsync(busy, options, ct);
                var loaded = await SettledMemoryAsync(metricsHttp, options.Url, $"{busy.Count} busy tenants (just after their load)", ct, settle: false);
                Print("busy", idle!, loaded!, busy.Count);
            }
            return 0;
        }
        finally
        {
            foreach (var org in orgs) await org.DisposeAsync();
        }
    }

    /// <summary>Sends deliveries of <c>--events-per-delivery</c> events round-robin to the tenants' hooks at <c>--rate</c> for <c>--duration</c>.</summary>
    private static async Task DriveAsync(IReadOnlyList<(EmulatedOkta Org, Guid Id)> tenants, LoadTestOptions options, CancellationToken ct)
    {
        // The tenant's hook as the emulated org holds it now (a tenant whose hook is gone is reported and left out).
        var targets = tenants.Select(t => t.Org.Hooks.FirstOrDefault(h => h.Uri.EndsWith(t.Id.ToString(), StringComparison.OrdinalIgnoreCase) && h.AuthSchemeValue is not null) is { } hook
                ? (Uri: new Uri(hook.Uri), Secret: hook.AuthSchemeValue!, Factory: new DeliveryFactory(t.Org.BaseUrl, hook.Id, poolSize: 64))
                : default)
            .Where(t => t.Uri is not null).ToList();
        if (targets.Count < tenants.Count) Console.WriteLine($"  {tenants.Count - targets.Count} of {tenants.Count} busy tenants have no event hook in their emulated org; left out");
        if (targets.Count == 0) return;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var slots = new SemaphoreSlim(options.Concurrency);
        var rate = options.Rate > 0 ? options.Rate : 100;
        var start = Stopwatch.GetTimestamp();
        var sent = new List<Task<int>>();
        for (var i = 0; ; i++)
        {
            var due = start + LoadRunner.Ticks(i / rate);
            if (Stopwatch.GetElapsedTime(start).TotalSeconds >= options.DurationSeconds) break;
            var wait = LoadRunner.Milliseconds(due - Stopwatch.GetTimestamp());
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            var target = targets[i % targets.Count];
            await slots.WaitAsync(ct);
            sent.Add(Task.Run(async () =>
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, target.Uri) { Content = new ByteArrayContent(target.Factory.Create(options.EventsPerDelivery)) };
                    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    request.Headers.TryAddWithoutValidation("Authorization", target.Secret);
                    using var response = await http.SendAsync(request, ct);
                    return (int)response.StatusCode;
                }
                finally
                {
                    slots.Release();
                }
            }, ct));
        }
        var statuses = await Task.WhenAll(sent);
        Console.WriteLine($"  busy load: {statuses.Length} deliveries of {options.EventsPerDelivery} events to {targets.Count} tenants over {Stopwatch.GetElapsedTime(start).TotalSeconds:0} s: "
            + string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}")));
    }

    private sealed record Memory(double WorkingSet, double Heap, double Committed);

    /// <summary>Waits until the server's memory stops moving (two scrapes 5 s apart within 2 %, at most 60 s), then reads it.</summary>
    private static async Task<Memory?> SettledMemoryAsync(HttpClient http, Uri url, string what, CancellationToken ct, bool settle = true)
    {
        Memory? last = null;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var metrics = await ServerMetrics.ScrapeAsync(http, url, ct);
            if (metrics is null) return null;
            var now = new Memory(metrics["dotnet_process_memory_working_set_bytes"], metrics["dotnet_gc_last_collection_heap_size_bytes"],
                metrics["dotnet_gc_last_collection_memory_committed_size_bytes"]);
            if (!settle || last is not null && Math.Abs(now.WorkingSet - last.WorkingSet) < 0.02 * last.WorkingSet || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                Console.WriteLine($"  memory with {what}: working set {now.WorkingSet / 1048576:0.0} MiB, GC heap {now.Heap / 1048576:0.0} MiB, GC committed {now.Committed / 1048576:0.0} MiB");
                return now;
            }
            last = now;
            await Task.Delay(5000, ct);
        }
    }

    private static void Print(string kind, Memory before, Memory after, int tenants) =>
        Console.WriteLine($"memory per {kind} tenant  working set {(after.WorkingSet - before.WorkingSet) / tenants / 1024:0.0} KiB, GC heap {(after.Heap - before.Heap) / tenants / 1024:0.0} KiB ({tenants} tenants; growth over the previous reading)");
}
