using System.Diagnostics;
using System.Net.Http.Headers;

namespace IdentiGuard.LoadTest;

/// <summary>One delivery: when it was due, when it was sent, when its acknowledgement arrived, and the status (0: no response).</summary>
internal readonly record struct Sample(long Scheduled, long Sent, long Done, int Status, string? Error);

/// <summary>What a run produced: the samples of the measured window and its bounds (Stopwatch timestamps).</summary>
/// <remarks>
/// <c>Measured</c> holds the requests due within the window (their latency is what the window offered the server);
/// <c>AckedInWindow</c>/<c>OkInWindow</c> count every response that arrived within the window, whenever its request
/// was due (the server's observed throughput, which differs when a backlog built up).
/// </remarks>
internal sealed record RunResult(IReadOnlyList<Sample> Measured, long MeasureStart, long MeasureEnd, int Unsent, IReadOnlyList<Sample> AckedInWindow)
{
    public int OkInWindow => AckedInWindow.Count(s => s.Status == 200);
}

/// <summary>
/// Sends deliveries to the hook URI. Open loop (rate &gt; 0): request i is due at start + i/rate regardless of how earlier
/// requests fared; at most <c>concurrency</c> are in flight, a due request waits for a free slot, and its latency counts
/// from when it was due (no coordinated omission). Closed loop (rate 0): <c>concurrency</c> workers send back to back.
/// </summary>
internal sealed class LoadRunner(HttpClient http, DeliveryTargets targets, LoadTestOptions options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly List<Sample> samples = [];

    public static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public async Task<RunResult> RunAsync(long start, CancellationToken ct)
    {
        var measureStart = start + Ticks(options.WarmupSeconds);
        var end = measureStart + Ticks(options.DurationSeconds);
        var unsent = options.Rate > 0
            ? await OpenLoopAsync(start, measureStart, end, ct)
            : await ClosedLoopAsync(end, ct);
        List<Sample> measured, acked;
        lock (samples)
        {
            measured = samples.Where(s => s.Scheduled >= measureStart && s.Scheduled < end).ToList();
            acked = samples.Where(s => s.Done >= measureStart && s.Done < end).ToList();
        }
        var last = measured.Count == 0 ? end : Math.Max(end, measured.Max(s => s.Done));
        return new RunResult(measured, measureStart, last, unsent, acked);
    }

    private async Task<int> OpenLoopAsync(long start, long measureStart, long end, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(options.Concurrency);
        var inFlight = new List<Task>();
        var unsent = 0;
        // Stop dispatching a backlog this long after the window closes; what is left counts as unsent.
        var giveUp = end + Ticks(2);
        for (long i = 0; ; i++)
        {
            var due = start + (long)(i * (Stopwatch.Frequency / options.Rate));
            if (due >= end) break;
            var delivery = targets.Next(options.EventsPerDelivery);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
            // Task.Delay works in whole milliseconds and may wake a little early: never send before the due time.
            while (Stopwatch.GetTimestamp() < due) Thread.Yield();
            if (!await slots.WaitAsync(TimeSpan.FromSeconds(Math.Max(0, (double)(giveUp - Stopwatch.GetTimestamp()) / Stopwatch.Frequency)), ct))
            {
                // Count every remaining due request of the measured window as unsent.
                for (var j = i; ; j++)
                {
                    var d = start + (long)(j * (Stopwatch.Frequency / options.Rate));
                    if (d >= end) break;
                    if (d >= measureStart) unsent++;
                }
                break;
            }
            inFlight.Add(SendAndReleaseAsync(delivery, due, slots, ct));
            if (inFlight.Count > 4096) inFlight.RemoveAll(t => t.IsCompleted);
        }
        await Task.WhenAll(inFlight);
        return unsent;
    }

    private async Task SendAndReleaseAsync((Uri Uri, string Secret, byte[] Body) delivery, long due, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await SendAsync(delivery, due, ct);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<int> ClosedLoopAsync(long end, CancellationToken ct)
    {
        var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                await SendAsync(targets.Next(options.EventsPerDelivery), Stopwatch.GetTimestamp(), ct);
            }
        }, ct));
        await Task.WhenAll(workers);
        return 0;
    }

    private async Task SendAsync((Uri Uri, string Secret, byte[] Body) delivery, long due, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Uri) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Authorization", delivery.Secret);
        request.Headers.TryAddWithoutValidation("User-Agent", "Okta Event Hooks (IdentiGuard load test)");
        var sent = Stopwatch.GetTimestamp();
        int status;
        string? error = null;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            status = (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            status = 0;
            error = "timeout";
        }
        catch (HttpRequestException ex)
        {
            status = 0;
            error = ex.HttpRequestError.ToString();
        }
        var done = Stopwatch.GetTimestamp();
        lock (samples) samples.Add(new Sample(due, sent, done, status, error));
    }
}
