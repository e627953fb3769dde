using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator;

namespace IdentiGuard.Tests.Cluster;

/// <summary>One delivery as Okta saw it: the events it carried and what the endpoint answered (null: no answer in 3 s).</summary>
internal sealed record DeliveryOutcome(IReadOnlyList<string> Uuids, int? Status, DateTime At)
{
    public bool Acknowledged => Status is >= 200 and < 300;
}

/// <summary>
/// Sends event hook deliveries the way Okta does (the hook's Authorization header, a 3-second timeout) at a steady
/// pace from a few concurrent senders, and records every outcome. Bounded by count and time; loopback only.
/// </summary>
internal sealed class HookLoad(string hookUri, string authorization, int eventsPerDelivery = 5)
{
    private readonly ConcurrentQueue<DeliveryOutcome> outcomes = new();
    private int sequence;

    public IReadOnlyList<DeliveryOutcome> Outcomes => outcomes.ToList();

    public async Task RunAsync(int senders, TimeSpan pause, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await SendOneAsync(http);
                try { await Task.Delay(pause, stop); } catch (OperationCanceledException) { }
            }
        }));
    }

    private async Task SendOneAsync(HttpClient http)
    {
        var uuids = Enumerable.Range(0, eventsPerDelivery).Select(_ => $"load-{Interlocked.Increment(ref sequence):D6}").ToList();
        var events = new JsonArray(uuids.Select(u => (JsonNode)LogEventFactory.Create(new LogEventSpec { EventType = "user.session.start", Uuid = u, OutcomeResult = "SUCCESS" })).ToArray());
        var body = new JsonObject
        {
            ["eventType"] = "com.okta.event_hook", ["eventTypeVersion"] = "1.0", ["cloudEventsVersion"] = "0.1",
            ["source"] = "https://acme.okta.com/api/v1/eventHooks/who1", ["eventId"] = Guid.NewGuid().ToString(),
            ["eventTime"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), ["contentType"] = "application/json",
            ["data"] = new JsonObject { ["events"] = events },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, hookUri) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        int? status;
        try
        {
            using var response = await http.SendAsync(request);
            status = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            status = null;
        }
        outcomes.Enqueue(new DeliveryOutcome(uuids, status, DateTime.UtcNow));
    }
}
