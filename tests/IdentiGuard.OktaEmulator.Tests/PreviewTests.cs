using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class PreviewTests : IAsyncLifetime
{
    private TestOrg _org = null!;
    private HookReceiver _receiver = null!;
    private string _hookId = null!;

    public async Task InitializeAsync()
    {
        _org = await TestOrg.StartAsync();
        _receiver = await HookReceiver.StartAsync();
        var token = await _org.TokenAsync();
        _hookId = await _org.CreateVerifiedHookAsync(token, _receiver, "user.session.start", "user.account.lock");
    }

    public async Task DisposeAsync()
    {
        await _org.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Preview_without_a_logged_event_delivers_sample_data_that_has_no_target()
    {
        var result = await _org.Emulator.PreviewDeliverAsync(_hookId, "user.account.lock");

        Assert.True(result.Success);
        Assert.Equal(200, result.StatusCode);
        var ev = Assert.Single(_receiver.Posts).Json!["data"]!["events"]![0]!.AsObject();
        Assert.Equal("user.account.lock", ev["eventType"]!.GetValue<string>());
        Assert.False(ev.ContainsKey("target"));
        Assert.Contains(_org.Emulator.Deliveries, d => d.Kind == DeliveryKind.Preview && d.Succeeded);
    }

    [Fact]
    public async Task Preview_uses_the_most_recent_system_log_event_of_the_type()
    {
        var older = await _org.Emulator.EmitAsync(LogEventFactory.Create("user.session.start"));
        var newest = await _org.Emulator.EmitAsync(LogEventFactory.Create("user.session.start"));
        await _org.Emulator.WhenDeliveriesIdleAsync();
        var before = _receiver.Posts.Count;

        await _org.Emulator.PreviewDeliverAsync(_hookId, "user.session.start");

        var preview = _receiver.Posts.Skip(before).Single();
        Assert.Equal(newest, preview.Json!["data"]!["events"]![0]!["uuid"]!.GetValue<string>());
        Assert.NotEqual(older, newest);
    }

    [Fact]
    public async Task An_edited_body_replaces_the_whole_request_body()
    {
        var edited = new JsonObject { ["eventType"] = "com.okta.event_hook", ["data"] = new JsonObject { ["events"] = new JsonArray() } }.ToJsonString();

        var result = await _org.Emulator.PreviewDeliverAsync(_hookId, "user.session.start", edited);

        Assert.Equal(edited, Assert.Single(_receiver.Posts).Body);
        Assert.Equal(edited, result.RequestBody);
    }

    [Fact]
    public async Task Preview_bypasses_the_status_filter_of_deliveries_but_reports_endpoint_failures()
    {
        _receiver.Reply = (r, _) => new ReceiverReply(500);

        var result = await _org.Emulator.PreviewDeliverAsync(_hookId, "user.session.start");

        Assert.False(result.Success);
        Assert.Equal(500, result.StatusCode);
        Assert.Single(_receiver.Posts);
    }

    [Fact]
    public async Task Preview_of_a_type_the_hook_does_not_subscribe_to_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _org.Emulator.PreviewDeliverAsync(_hookId, "user.lifecycle.suspend"));
        Assert.Empty(_receiver.Posts);
    }

    [Fact]
    public async Task Sample_data_exists_for_every_hook_eligible_event_type()
    {
        var eligible = EventHooks.EventTypeCatalog.Default.All.Where(t => t.EventHookEligible).ToList();

        var samples = eligible.Select(t => LogEventFactory.SampleData(t.Type)).ToList();

        Assert.Equal(314, samples.Count);
        Assert.All(samples, s => Assert.False(s.ContainsKey("target")));
        Assert.All(samples.Zip(eligible), p => Assert.Equal(p.Second.Type, p.First["eventType"]!.GetValue<string>()));
    }
}
