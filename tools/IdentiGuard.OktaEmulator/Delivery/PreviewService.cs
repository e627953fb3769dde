using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.EventHooks;
using IdentiGuard.OktaEmulator.SystemLog;

namespace IdentiGuard.OktaEmulator.Delivery;

/// <summary>Admin Console Preview: body = latest System Log event of the type or sample data; bypasses filters; single POST.</summary>
internal sealed class PreviewService(EmulatorState state, HookSender sender)
{
    public string BuildBody(string hookId, string eventType)
    {
        var (_, _) = Resolve(hookId, eventType);
        var ev = state.Log.MostRecentOfType(eventType) ?? LogEventFactory.SampleData(eventType);
        return Envelope.Build(state.BaseUrl, hookId, Guid.NewGuid().ToString(), [ev], state.Time.GetUtcNow()).ToJsonString();
    }

    public async Task<DeliveryResult> DeliverAsync(string hookId, string eventType, string? editedBody, CancellationToken ct)
    {
        var (channel, _) = Resolve(hookId, eventType);
        var body = editedBody ?? BuildBody(hookId, eventType);
        var uuids = new List<string>();
        string? eventId = null;
        try
        {
            if (JsonNode.Parse(body) is JsonObject env)
            {
                eventId = env["eventId"]?.ToString();
                if (env["data"]?["events"] is JsonArray arr)
                    uuids.AddRange(arr.Select(e => e?["uuid"]?.ToString()).OfType<string>());
            }
        }
        catch (System.Text.Json.JsonException)
        {
            throw new ArgumentException("The edited body is not valid JSON", nameof(editedBody));
        }

        var outcome = await sender.SendAsync(HttpMethod.Post, channel, body, [], state.Options.DeliveryTimeout, ct);
        var error = outcome.IsSuccess ? null : DeliveryService.Describe(outcome);
        state.Deliveries.Enqueue(new DeliveryAttempt(hookId, DeliveryKind.Preview, 1, outcome.StatusCode, error,
            outcome.Duration, uuids, eventId, state.Time.GetUtcNow()));
        return new DeliveryResult(outcome.IsSuccess, outcome.StatusCode, error, outcome.Duration, body);
    }

    private (HookChannel Channel, string Name) Resolve(string hookId, string eventType)
    {
        lock (state.Sync)
        {
            var hook = state.Hooks.FirstOrDefault(h => h.Id == hookId)
                ?? throw new KeyNotFoundException($"Event hook {hookId} not found");
            if (!hook.EventTypes.Contains(eventType))
                throw new ArgumentException($"Event type {eventType} is not one of the hook's subscriptions", nameof(eventType));
            return (hook.Channel, hook.Name);
        }
    }
}
