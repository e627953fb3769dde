using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace IdentiGuard.LoadTest;

/// <summary>
/// Delivery-to-alert latency: during the measured window, every <c>1/rate</c> seconds sends a delivery whose event
/// raises a new monitored-event alert (an actor no other event has), then polls the alerts API every 20 ms until that
/// alert is visible. The latency runs from the send to the first API answer that shows it, so it includes the
/// acknowledgement, the processing behind it and at most one polling interval.
/// </summary>
internal sealed class AlertProbe(HttpClient hooks, Uri hookUri, string secret, DeliveryFactory deliveries, IdentiGuardSession session)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);
    private readonly List<double> latencies = [];
    private int missing;

    public IReadOnlyList<double> LatenciesMs => latencies;
    public int Missing => missing;

    public async Task RunAsync(long start, long end, double rate, CancellationToken ct)
    {
        var probes = new List<Task>();
        for (var i = 0; ; i++)
        {
            var due = start + LoadRunner.Ticks(i / rate);
            if (due >= end) break;
            var wait = LoadRunner.Milliseconds(due - Stopwatch.GetTimestamp());
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            probes.Add(ProbeAsync($"probe-{Guid.NewGuid():N}@loadtest.example", ct));
        }
        await Task.WhenAll(probes);
    }

    private async Task ProbeAsync(string actor, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, hookUri) { Content = new ByteArrayContent(deliveries.CreateProbe(actor)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", secret);
        var sent = Stopwatch.GetTimestamp();
        using (var response = await hooks.SendAsync(request, ct))
        {
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref missing);
                return;
            }
        }
        while (Stopwatch.GetElapsedTime(sent) < GiveUpAfter)
        {
            var page = await session.Api.GetFromJsonAsync<JsonElement>(
                $"api/workspaces/{session.WorkspaceId}/alerts?kind=MonitoredEvent&take=1&search={Uri.EscapeDataString(actor)}", ct);
            if (page.GetProperty("total").GetInt32() > 0)
            {
                var ms = LoadRunner.Milliseconds(Stopwatch.GetTimestamp() - sent);
                lock (latencies) latencies.Add(ms);
                return;
            }
            await Task.Delay(20, ct);
        }
        Interlocked.Increment(ref missing);
    }
}
