using System.Text.Json.Nodes;
using System.Threading.Channels;
using IdentiGuard.OktaEmulator.EventHooks;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.SystemLog;

namespace IdentiGuard.OktaEmulator.Delivery;

/// <summary>Background event-hook delivery: batching, 3 s timeout, one retry on 5xx/timeout/error, none on 4xx.</summary>
internal sealed class DeliveryService(EmulatorState state, HookSender sender) : IAsyncDisposable
{
    private readonly Channel<(string HookId, JsonObject Event)> _queue = Channel.CreateUnbounded<(string, JsonObject)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _quotaSync = new();
    private Task? _loop;
    private int _pending;
    private DateTimeOffset? _quotaWindowStart;
    private int _quotaUsed;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Queues the event for every ACTIVE+VERIFIED hook subscribed to its (hook-eligible) type.</summary>
    public void Enqueue(JsonObject logEvent)
    {
        var type = OktaJson.GetString(logEvent, "eventType");
        if (type is null || !state.Catalog.IsHookEligible(type)) return;
        List<string> hookIds;
        lock (state.Sync)
            hookIds = state.Hooks.Where(h => h.ReceivesEvents && h.EventTypes.Contains(type) && h.PassesFilter(logEvent))
                .Select(h => h.Id).ToList();
        foreach (var id in hookIds)
        {
            Interlocked.Increment(ref _pending);
            _queue.Writer.TryWrite((id, logEvent));
        }
    }

    public async Task WhenIdleAsync(CancellationToken ct)
    {
        while (Volatile.Read(ref _pending) > 0) await Task.Delay(10, ct);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var inFlight = new List<Task>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                if (state.Options.DeliveryBatchDelay > TimeSpan.Zero)
                    await Task.Delay(state.Options.DeliveryBatchDelay, ct);
                var batch = new List<(string HookId, JsonObject Event)>();
                while (_queue.Reader.TryRead(out var item)) batch.Add(item);
                foreach (var group in batch.GroupBy(b => b.HookId))
                {
                    var events = group.Select(g => g.Event).ToList();
                    inFlight.Add(DeliverGroupAsync(group.Key, events, ct));
                }
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task DeliverGroupAsync(string hookId, List<JsonObject> events, CancellationToken ct)
    {
        try
        {
            await DeliverAsync(hookId, events, ct);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Add(ref _pending, -events.Count);
        }
    }

    private async Task DeliverAsync(string hookId, List<JsonObject> events, CancellationToken ct)
    {
        HookChannel channel;
        string hookName;
        lock (state.Sync)
        {
            var hook = state.Hooks.FirstOrDefault(h => h.Id == hookId);
            if (hook is null || !hook.ReceivesEvents) return;
            channel = hook.Channel;
            hookName = hook.Name;
        }

        events = TakeQuota(events);
        if (events.Count == 0) return;

        var uuids = events.Select(e => OktaJson.GetString(e, "uuid") ?? "").ToArray();
        var eventId = Guid.NewGuid().ToString();
        if (state.TryConsumeDrop())
        {
            state.Deliveries.Enqueue(new DeliveryAttempt(hookId, DeliveryKind.Delivery, 1, null,
                "Dropped by fault injection (never sent)", TimeSpan.Zero, uuids, eventId, state.Time.GetUtcNow(), Dropped: true));
            return;
        }

        var body = Envelope.Build(state.BaseUrl, hookId, eventId, events, state.Time.GetUtcNow()).ToJsonString();
        string? failure = null;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var outcome = await sender.SendAsync(HttpMethod.Post, channel, body, [], state.Options.DeliveryTimeout, ct);
            failure = outcome.IsSuccess ? null : Describe(outcome);
            state.Deliveries.Enqueue(new DeliveryAttempt(hookId, DeliveryKind.Delivery, attempt, outcome.StatusCode,
                failure, outcome.Duration, uuids, eventId, state.Time.GetUtcNow()));
            var retryable = !outcome.IsSuccess && (outcome.StatusCode is null or >= 500);
            if (!retryable) break;
        }

        if (failure is not null)
        {
            state.Log.Append(LogEventFactory.Create(new LogEventSpec
            {
                EventType = "event_hook.delivery",
                DisplayMessage = "Event hook delivery failed",
                Severity = "WARN",
                Actor = LogEventFactory.SystemActor(),
                Targets = new JsonArray(LogEventFactory.Target(hookId, "EventHook", channel.Uri, hookName)),
                OutcomeResult = "FAILURE",
                OutcomeReason = failure,
                TransactionType = "JOB",
                TransactionId = Ids.RequestId(),
                DebugData = new JsonObject { ["eventHookId"] = hookId, ["eventId"] = eventId, ["eventUuids"] = string.Join(",", uuids) },
                Published = state.Time.GetUtcNow(),
            }));
        }
    }

    internal static string Describe(SendOutcome outcome) =>
        outcome.TimedOut ? "Delivery timed out (no response within 3 seconds)"
        : outcome.Error ?? $"Endpoint responded with HTTP {outcome.StatusCode}";

    /// <summary>400,000 events per org per 24 h, window starting at the first event; retries don't count.</summary>
    private List<JsonObject> TakeQuota(List<JsonObject> events)
    {
        lock (_quotaSync)
        {
            var now = state.Time.GetUtcNow();
            if (_quotaWindowStart is null || now >= _quotaWindowStart.Value.AddHours(24))
            {
                _quotaWindowStart = now;
                _quotaUsed = 0;
            }
            var available = Math.Max(0, state.Options.EventHookDailyLimit - _quotaUsed);
            var taken = events.Take(available).ToList();
            _quotaUsed += taken.Count;
            return taken;
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return; // disposing twice is harmless, as for any IAsyncDisposable
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
