using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class DeliveryTests : IAsyncLifetime
{
    private TestOrg _org = null!;
    private HookReceiver _receiver = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _org = await TestOrg.StartAsync(o => o.DeliveryTimeout = TimeSpan.FromMilliseconds(500));
        _receiver = await HookReceiver.StartAsync();
        _token = await _org.TokenAsync();
    }

    public async Task DisposeAsync()
    {
        await _org.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<string> EmitAsync(string type = "user.session.start")
    {
        var uuid = await _org.Emulator.EmitAsync(LogEventFactory.Create(type));
        await _org.Emulator.WhenDeliveriesIdleAsync();
        return uuid;
    }

    private List<string> LoggedTypes() => _org.Emulator.SystemLog.Select(e => e["eventType"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task An_emitted_event_is_posted_to_a_verified_hook_in_an_okta_envelope_with_its_headers()
    {
        var hookId = await _org.CreateVerifiedHookAsync(_token, _receiver);

        var uuid = await EmitAsync();

        var post = Assert.Single(_receiver.Posts);
        Assert.Equal("Bearer hook-secret", post.Header("Authorization"));
        Assert.Equal("acme", post.Header("X-Tenant"));
        Assert.Equal("application/json", post.Header("Accept"));
        Assert.StartsWith("application/json", post.Header("Content-Type"));
        var env = post.Json!;
        Assert.Equal("com.okta.event_hook", env["eventType"]!.GetValue<string>());
        Assert.Equal("1.0", env["eventTypeVersion"]!.GetValue<string>());
        Assert.Equal("0.1", env["cloudEventsVersion"]!.GetValue<string>());
        Assert.Equal($"{_org.Emulator.BaseUrl}/api/v1/eventHooks/{hookId}", env["source"]!.GetValue<string>());
        Assert.True(Guid.TryParse(env["eventId"]!.GetValue<string>(), out _));
        Assert.Equal("application/json", env["contentType"]!.GetValue<string>());
        Assert.Equal(uuid, env["data"]!["events"]![0]!["uuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Events_emitted_close_together_are_amalgamated_into_one_delivery()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver);

        await _org.Emulator.EmitAsync(LogEventFactory.Create("user.session.start"));
        await _org.Emulator.EmitAsync(LogEventFactory.Create("user.session.start"));
        await _org.Emulator.WhenDeliveriesIdleAsync();

        var post = Assert.Single(_receiver.Posts);
        Assert.Equal(2, post.Json!["data"]!["events"]!.AsArray().Count);
    }

    [Fact]
    public async Task An_unverified_hook_receives_nothing()
    {
        await _org.CreateHookAsync(_token, _receiver.Url);

        await EmitAsync();

        Assert.Empty(_receiver.Posts);
    }

    [Fact]
    public async Task An_inactive_hook_receives_nothing()
    {
        var id = await _org.CreateVerifiedHookAsync(_token, _receiver);
        await _org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/deactivate", _token);

        await EmitAsync();

        Assert.Empty(_receiver.Posts);
    }

    [Fact]
    public async Task Events_of_unsubscribed_or_ineligible_types_are_logged_but_not_delivered()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver, "user.session.start");

        await EmitAsync("user.lifecycle.suspend");
        await EmitAsync("security.threat.detected");

        Assert.Empty(_receiver.Posts);
        Assert.Contains("security.threat.detected", LoggedTypes());
    }

    [Fact]
    public async Task A_500_response_is_retried_once_with_the_same_event_id()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver);
        _receiver.Reply = (r, _) => r.Method == "POST" ? new ReceiverReply(500) : new ReceiverReply(200);

        await EmitAsync();

        Assert.Equal(2, _receiver.Posts.Count);
        Assert.Equal(_receiver.Posts[0].Json!["eventId"]!.GetValue<string>(), _receiver.Posts[1].Json!["eventId"]!.GetValue<string>());
        var failure = _org.Emulator.SystemLog.Single(e => e["eventType"]!.GetValue<string>() == "event_hook.delivery");
        Assert.Equal("FAILURE", failure["outcome"]!["result"]!.GetValue<string>());
        Assert.Equal("EventHook", failure["target"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_500_followed_by_success_writes_no_failure_event()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver);
        var posts = 0;
        _receiver.Reply = (r, _) => r.Method == "POST" && Interlocked.Increment(ref posts) == 1 ? new ReceiverReply(500) : new ReceiverReply(200);

        await EmitAsync();

        Assert.Equal(2, _receiver.Posts.Count);
        Assert.DoesNotContain("event_hook.delivery", LoggedTypes());
    }

    [Fact]
    public async Task A_401_response_is_not_retried_and_is_logged_as_a_delivery_failure()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver);
        _receiver.Reply = (r, _) => r.Method == "POST" ? new ReceiverReply(401) : new ReceiverReply(200);

        await EmitAsync();

        Assert.Single(_receiver.Posts);
        Assert.Contains("event_hook.delivery", LoggedTypes());
        Assert.Equal(401, _org.Emulator.Deliveries.Single(d => d.Kind == DeliveryKind.Delivery).StatusCode);
    }

    [Fact]
    public async Task A_timeout_is_retried_once_and_then_logged_as_a_failure()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver);
        _receiver.Reply = (r, _) => r.Method == "POST" ? new ReceiverReply(200, null, TimeSpan.FromSeconds(3)) : new ReceiverReply(200);

        await EmitAsync();

        var attempts = _org.Emulator.Deliveries.Where(d => d.Kind == DeliveryKind.Delivery).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Contains("timed out", a.Error));
        Assert.Contains("event_hook.delivery", LoggedTypes());
    }

    [Fact]
    public async Task Dropped_deliveries_are_never_sent_but_the_event_stays_in_the_system_log()
    {
        await _org.CreateVerifiedHookAsync(_token, _receiver);
        _org.Emulator.DropNextDeliveries(1);

        var dropped = await EmitAsync();
        var delivered = await EmitAsync();

        var post = Assert.Single(_receiver.Posts);
        Assert.Equal(delivered, post.Json!["data"]!["events"]![0]!["uuid"]!.GetValue<string>());
        Assert.Contains(_org.Emulator.SystemLog, e => e["uuid"]!.GetValue<string>() == dropped);
        Assert.Contains(_org.Emulator.Deliveries, d => d.Dropped && d.EventUuids.Contains(dropped));
    }

    [Fact]
    public async Task The_daily_quota_stops_deliveries_once_exhausted()
    {
        await using var org = await TestOrg.StartAsync(o => o.EventHookDailyLimit = 1);
        var token = await org.TokenAsync();
        await org.CreateVerifiedHookAsync(token, _receiver);

        await org.Emulator.EmitAsync(LogEventFactory.Create("user.session.start"));
        await org.Emulator.WhenDeliveriesIdleAsync();
        await org.Emulator.EmitAsync(LogEventFactory.Create("user.session.start"));
        await org.Emulator.WhenDeliveriesIdleAsync();

        Assert.Single(_receiver.Posts);
    }
}
