using System.Diagnostics;
using System.Diagnostics.Metrics;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Server.Ingestion;

namespace IdentiGuard.Server.Telemetry;

/// <summary>
/// IdentiGuard's own meters and spans (meter and activity source <see cref="Name"/>). Tags never carry tenant or
/// workspace ids: they would leak customer names into a scrape and multiply series by the number of tenants.
/// </summary>
public sealed class IdentiGuardMetrics : IDisposable
{
    public const string Name = "IdentiGuard";

    public static readonly ActivitySource Tracing = new(Name);

    private readonly Meter meter;
    private readonly Counter<long> deliveries;
    private readonly Counter<long> eventsStored;
    private readonly Counter<long> eventsDuplicate;
    private readonly Histogram<int> batchDeliveries;
    private readonly Histogram<int> batchEvents;
    private readonly Histogram<double> commitDuration;
    private readonly Histogram<double> ackDuration;
    private readonly Counter<long> eventsProcessed;
    private readonly Histogram<double> detectionLatency;
    private readonly Counter<long> alertsRaised;
    private readonly Histogram<double> processingPhase;
    private readonly Histogram<double> pollerLag;
    private Func<long>? queuedEvents;

    public IdentiGuardMetrics(IMeterFactory meters)
    {
        meter = meters.Create(Name);
        deliveries = meter.CreateCounter<long>("identiguard.hook.deliveries", "{delivery}",
            "Event hook deliveries answered, by outcome (accepted, refused) and reason of a refusal.");
        eventsStored = meter.CreateCounter<long>("identiguard.events.stored", "{event}", "New events durably stored, by source (hook, poll, backfill, preview).");
        eventsDuplicate = meter.CreateCounter<long>("identiguard.events.duplicates", "{event}", "Events already stored and not stored again, by source.");
        batchDeliveries = meter.CreateHistogram<int>("identiguard.hook.batch.deliveries", "{delivery}", "Deliveries sharing one durable commit.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        batchEvents = meter.CreateHistogram<int>("identiguard.hook.batch.events", "{event}", "Events in one durable commit of deliveries.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 1000, 2000, 5000] });
        commitDuration = meter.CreateHistogram<double>("identiguard.hook.commit.duration", "s", "Time of one durable commit of a batch of deliveries.",
            advice: Seconds);
        ackDuration = meter.CreateHistogram<double>("identiguard.hook.queue.duration", "s",
            "From a delivery entering the commit queue until its commit was durable (what the acknowledgement waits for).", advice: Seconds);
        eventsProcessed = meter.CreateCounter<long>("identiguard.detection.events", "{event}", "Events processed by monitored-event alerting and the detection rules.");
        detectionLatency = meter.CreateHistogram<double>("identiguard.detection.latency", "s",
            "From an event's arrival (stored) until its processing (alerts, detection) was committed; recorded per event.", advice: Seconds);
        processingPhase = meter.CreateHistogram<double>("identiguard.detection.phase.duration", "s",
            "Time of each phase of processing one batch of a tenant's events (load, monitored_alerts, detect, detection_alerts, write_lock, save).", advice: Seconds);
        alertsRaised = meter.CreateCounter<long>("identiguard.alerts.raised", "{alert}", "New alerts, by kind (monitored event, detection).");
        pollerLag = meter.CreateHistogram<double>("identiguard.poller.lag", "s",
            "After each System Log page: how far the newest event stored from it lags behind now.", advice: Seconds);
        meter.CreateObservableGauge("identiguard.hook.queue.events", () => queuedEvents?.Invoke() ?? 0, "{event}",
            "Events of accepted deliveries waiting for their durable commit.");
    }

    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    internal void ObserveQueue(Func<long> events) => queuedEvents = events;

    public void DeliveryAccepted() => deliveries.Add(1, new KeyValuePair<string, object?>("outcome", "accepted"));

    /// <param name="reason">unknown_tenant, unauthorized, too_large, malformed, overloaded, storage_failed.</param>
    public void DeliveryRefused(string reason) =>
        deliveries.Add(1, new KeyValuePair<string, object?>("outcome", "refused"), new KeyValuePair<string, object?>("reason", reason));

    public void EventsStored(EventSource source, StoreResult result)
    {
        var tag = new KeyValuePair<string, object?>("source", SourceTag(source));
        if (result.Stored > 0) eventsStored.Add(result.Stored, tag);
        if (result.Duplicates > 0) eventsDuplicate.Add(result.Duplicates, tag);
    }

    public void BatchCommitted(int deliveryCount, int eventCount, TimeSpan duration)
    {
        batchDeliveries.Record(deliveryCount);
        batchEvents.Record(eventCount);
        commitDuration.Record(duration.TotalSeconds);
    }

    public void DeliveryDurable(TimeSpan queued) => ackDuration.Record(queued.TotalSeconds);

    public void EventsProcessed(int count, IEnumerable<TimeSpan> latencies)
    {
        eventsProcessed.Add(count);
        foreach (var latency in latencies) detectionLatency.Record(Math.Max(0, latency.TotalSeconds));
    }

    /// <summary>Records the phase that started at <paramref name="since"/> (a Stopwatch timestamp); returns now, the next phase's start.</summary>
    public long ProcessingPhase(string phase, long since)
    {
        var now = Stopwatch.GetTimestamp();
        processingPhase.Record(Stopwatch.GetElapsedTime(since, now).TotalSeconds, new KeyValuePair<string, object?>("phase", phase));
        return now;
    }

    /// <param name="kind">monitored_event or detection.</param>
    public void AlertsRaised(string kind, int count)
    {
        if (count > 0) alertsRaised.Add(count, new KeyValuePair<string, object?>("kind", kind));
    }

    public void PollerLag(TimeSpan lag) => pollerLag.Record(Math.Max(0, lag.TotalSeconds));

    private static string SourceTag(EventSource source) => source switch
    {
        EventSource.Hook => "hook",
        EventSource.Poll => "poll",
        EventSource.Backfill => "backfill",
        EventSource.Preview => "preview",
        _ => "other",
    };

    public void Dispose() => meter.Dispose();
}
