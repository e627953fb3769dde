namespace IdentiGuard.LoadTest;

/// <summary>Prints the figures of a run: rates, status counts and acknowledgement latency percentiles.</summary>
internal sealed class Report(LoadTestOptions options, RunResult result)
{
    /// <summary>Okta gives each delivery this long before it counts as failed.</summary>
    private const double OktaBudgetMs = 3000;

    /// <summary>Responses other than 200 (including no response) among the requests due in the window.</summary>
    public int Errors => result.Measured.Count(s => s.Status != 200);

    public void Write(TextWriter o)
    {
        var samples = result.Measured;
        var window = LoadRunner.Milliseconds(result.MeasureEnd - result.MeasureStart) / 1000;
        var succeeded = samples.Count(s => s.Status == 200);
        o.WriteLine($"measured window        {window:0.00} s ({options.DurationSeconds:0.##} s of scheduled sends plus the drain of the last responses)");
        o.WriteLine($"request rate           target {(options.Rate > 0 ? $"{options.Rate:0.##}/s" : "max (closed loop)")}, achieved {samples.Count / window:0.0}/s ({samples.Count} completed{(result.Unsent > 0 ? $", {result.Unsent} due but never sent" : "")})");
        o.WriteLine($"deliveries/s           {succeeded / window:0.0} acknowledged with 200");
        o.WriteLine($"events/s               {succeeded * options.EventsPerDelivery / window:0.0} ({succeeded * options.EventsPerDelivery} events in 200-acknowledged deliveries)");
        var duration = options.DurationSeconds;
        o.WriteLine($"server throughput      {result.OkInWindow / duration:0.0} deliveries/s = {result.OkInWindow * options.EventsPerDelivery / duration:0.0} events/s acknowledged with 200 during the {duration:0.##} s window (any due time, so a warm-up backlog counts)");
        o.WriteLine($"status codes           {Statuses(samples)}{(Errors > 0 ? $"  <- {Errors} error(s): anything but 200 is an error" : "")}{(result.Unsent > 0 ? $"; {result.Unsent} due but never sent" : "")}");
        var backlog = result.Unsent > 0 || samples.Count < result.AckedInWindow.Count / 2;
        if (backlog && result.AckedInWindow.Count > 0)
        {
            // The requests due in the window mostly waited behind a backlog: describe what the server did in the window.
            var inWindow = result.AckedInWindow;
            o.WriteLine($"acks in window         {inWindow.Count} responses arrived during the window (any due time): {Statuses(inWindow)}");
            o.WriteLine($"  their ack latency    {Line(inWindow.Select(s => LoadRunner.Milliseconds(s.Done - s.Scheduled)).Order().ToArray())}   (from the scheduled send time)");
            o.WriteLine($"  their service time   {Line(inWindow.Select(s => LoadRunner.Milliseconds(s.Done - s.Sent)).Order().ToArray())}   (from the actual send)");
        }
        if (samples.Count == 0)
        {
            WriteNote(o);
            return;
        }

        var ack = samples.Select(s => LoadRunner.Milliseconds(s.Done - s.Scheduled)).Order().ToArray();
        var service = samples.Select(s => LoadRunner.Milliseconds(s.Done - s.Sent)).Order().ToArray();
        var lag = samples.Select(s => LoadRunner.Milliseconds(s.Sent - s.Scheduled)).Order().ToArray();
        o.WriteLine($"ack latency (ms)       {Line(ack)}   (from the scheduled send time)");
        o.WriteLine($"service time (ms)      {Line(service)}   (from the actual send)");
        o.WriteLine($"send lag (ms)          {Line(lag)}   (actual send - scheduled: timer slack or waiting for a free slot)");
        var overBudget = ack.Count(ms => ms > OktaBudgetMs);
        o.WriteLine($"over Okta's 3 s        {overBudget} of {ack.Length} acknowledgements");
        if (result.Unsent > 0 || Percentile(lag, 50) > 100) WriteNote(o);
    }

    private void WriteNote(TextWriter o)
    {
        if (options.Rate > 0)
            o.WriteLine($"note                   the server did not keep up with {options.Rate:0.##}/s at concurrency {options.Concurrency}: due requests queued for a free slot (send lag), which the ack latency includes");
    }

    private static string Statuses(IEnumerable<Sample> samples)
    {
        var groups = samples.GroupBy(s => s.Status == 0 ? s.Error ?? "no response" : s.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}").ToList();
        return groups.Count == 0 ? "none completed" : string.Join(", ", groups);
    }

    public static string Line(double[] sorted) =>
        $"min {sorted[0],7:0.0}  median {Percentile(sorted, 50),7:0.0}  p90 {Percentile(sorted, 90),7:0.0}  p99 {Percentile(sorted, 99),7:0.0}  max {sorted[^1],7:0.0}";

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
