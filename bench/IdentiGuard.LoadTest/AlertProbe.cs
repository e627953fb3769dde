using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace IdentiGuard.LoadTest;

/// <summary>
/// Delivery-to-alert latency: during the measured window, every <c>1/rate</c> seconds sends a delivery whose event
/// raises a new monitored-event alert (an actor no other event has). One poller asks the alerts API every 20 ms for
/// this run's probe alerts and times each from its send to the first answer that shows it, so a latency includes the
/// acknowledgement, the processing behind it and at most one polling interval. One poll serves every outstanding
/// probe: a poll per probe would multiply the API load by the backlog and slow the server it measures. With several
/// hosts (<c>hookUris</c>: the first tenant's hook on each), the probes go to them in turn. The poll asks for that
/// tenant's alerts only: a search over every tenant's alerts (tens of thousands with 100 busy tenants) took the server
/// 150 ms a poll, a core's worth of work that the load itself did not cause.
/// </summary>
internal sealed class AlertProbe(HttpClient hooks, IReadOnlyList<Uri> hookUris, string secret, DeliveryFactory deliveries, IdentiGuardSession session)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private readonly string run = $"probe-{Guid.NewGuid():N}"[..14];
    private readonly string tenantFilter = Guid.TryParse(hookUris[0].Segments[^1], out var tenantId) ? $"&tenantId={tenantId}" : "";
    private readonly ConcurrentDictionary<string, long> outstanding = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<double> latencies = [];
    private int missing;

    public IReadOnlyList<double> LatenciesMs => latencies;
    public int Missing => missing;

    public async Task RunAsync(long start, long end, double rate, CancellationToken ct)
    {
        var sends = new List<Task>();
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var polling = PollAsync(sending.Token);
        for (var i = 0; ; i++)
        {
            var due = start + LoadRunner.Ticks(i / rate);
            if (due >= end) break;
            var wait = LoadRunner.Milliseconds(due - Stopwatch.GetTimestamp());
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            sends.Add(SendAsync(hookUris[i % hookUris.Count], $"{run}-{i}@loadtest.example", ct));
        }
        await Task.WhenAll(sends);
        var deadline = Stopwatch.GetTimestamp() + LoadRunner.Ticks(GiveUpAfter.TotalSeconds);
        while (!outstanding.IsEmpty && Stopwatch.GetTimestamp() < deadline) await Task.Delay(PollInterval, ct);
        await sending.CancelAsync();
        try { await polling; } catch (OperationCanceledException) { }
        Interlocked.Add(ref missing, outstanding.Count);
    }

    private async Task SendAsync(Uri hookUri, string actor, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, hookUri) { Content = new ByteArrayContent(deliveries.CreateProbe(actor)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", secret);
        // Registered before the send: the alert may become visible before the acknowledgement arrives.
        outstanding[actor] = Stopwatch.GetTimestamp();
        using var response = await hooks.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode && outstanding.TryRemove(actor, out _)) Interlocked.Increment(ref missing);
    }

    private async Task PollAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (!outstanding.IsEmpty)
            {
                var page = await session.Api.GetFromJsonAsync<JsonElement>(
                    $"api/workspaces/{session.WorkspaceId}/alerts?kind=MonitoredEvent{tenantFilter}&take=200&search={Uri.EscapeDataString(run)}", ct);
                var seenAt = Stopwatch.GetTimestamp();
                foreach (var alert in page.GetProperty("items").EnumerateArray())
                {
                    if (alert.GetProperty("actor").GetString() is not { } actor || !outstanding.TryRemove(actor, out var sent)) continue;
                    lock (latencies) latencies.Add(LoadRunner.Milliseconds(seenAt - sent));
                }
            }
            await Task.Delay(PollInterval, ct);
        }
    }
}
