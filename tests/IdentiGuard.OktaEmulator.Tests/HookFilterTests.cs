using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.EventHooks;
using IdentiGuard.OktaEmulator.Tests.Support;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class HookFilterTests
{
    private static readonly JsonObject Event = JsonNode.Parse("""
        {"eventType":"group.user_membership.add","outcome":{"result":"SUCCESS","reason":null},
         "actor":{"id":"00uAdmin","type":"User","alternateId":"admin@example.com","displayName":"Admin"},
         "target":[{"id":"00uJane","type":"User","alternateId":"jane@example.com","displayName":"Jane"},
                   {"id":"00gSales","type":"UserGroup","alternateId":"unknown","displayName":"Sales"}],
         "debugContext":{"debugData":{"changedAttributes":"department"}}}
        """)!.AsObject();

    [Theory]
    [InlineData("event.target.?[type eq 'UserGroup' && displayName eq 'Sales'].size()> 0", true)]
    [InlineData("event.target.?[type eq 'UserGroup'].size()>0 && event.target.?[displayName eq 'Sales'].size()>0", true)]
    [InlineData("event.target.?[type eq 'UserGroup' && displayName eq 'Marketing'].size() > 0", false)]
    [InlineData("event.outcome.result eq 'SUCCESS'", true)]
    [InlineData("event.actor.alternateId ne 'admin@example.com'", false)]
    [InlineData("event.eventType eq 'x' || event.actor.id eq '00uAdmin'", true)]
    [InlineData("!(event.actor.type == 'User')", false)]
    [InlineData("event.debugData.changedAttributes eq 'department'", true)]
    [InlineData("event.target.?[type eq 'User'].size() == 1", true)]
    public void A_documented_filter_expression_evaluates_against_the_event(string expression, bool expected)
    {
        Assert.Equal(expected, HookFilterExpression.Parse(expression).Matches(Event));
    }

    [Theory]
    [InlineData("event.client.ipAddress eq '1.2.3.4'")]
    [InlineData("event.target.?[type eq 'User']")]
    [InlineData("event.target.?[securityContext eq 'x'].size() > 0")]
    [InlineData("event.eventType eq 'unterminated")]
    [InlineData("(event.eventType eq 'x'")]
    public void An_unsupported_or_malformed_filter_expression_is_rejected(string expression)
    {
        Assert.Throws<HookFilterException>(() => HookFilterExpression.Parse(expression));
    }

    [Fact]
    public async Task A_hook_filter_suppresses_deliveries_of_events_that_do_not_match_but_preview_bypasses_it()
    {
        await using var org = await TestOrg.StartAsync();
        await using var receiver = await HookReceiver.StartAsync();
        var token = await org.TokenAsync();
        var body = TestOrg.HookBody(receiver.Url, "group.user_membership.add");
        body["events"]!["filter"] = JsonNode.Parse("""
            {"type":"EXPRESSION_LANGUAGE","eventFilterMap":[{"event":"group.user_membership.add",
             "condition":{"expression":"event.target.?[type eq 'UserGroup' && displayName eq 'Sales'].size()>0"}}]}
            """);
        var (created, hook) = await org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", token, body);
        var id = hook!["id"]!.GetValue<string>();
        await org.ApiAsync(HttpMethod.Post, $"/api/v1/eventHooks/{id}/lifecycle/verify", token);

        JsonObject Membership(string group) => LogEventFactory.Create(new LogEventSpec
        {
            EventType = "group.user_membership.add",
            Targets = new JsonArray(LogEventFactory.Target("00gX", "UserGroup", "unknown", group)),
        });
        var sales = await org.Emulator.EmitAsync(Membership("Sales"));
        await org.Emulator.EmitAsync(Membership("Marketing"));
        await org.Emulator.WhenDeliveriesIdleAsync();
        var preview = await org.Emulator.PreviewDeliverAsync(id, "group.user_membership.add");

        Assert.Equal(200, (int)created.StatusCode);
        Assert.Equal(2, receiver.Posts.Count);
        var delivered = receiver.Posts[0].Json!["data"]!["events"]!.AsArray();
        Assert.Equal(sales, Assert.Single(delivered)!["uuid"]!.GetValue<string>());
        Assert.True(preview.Success);
        Assert.Contains("Marketing", receiver.Posts[1].Body);
    }

    [Fact]
    public async Task A_hook_with_an_invalid_filter_expression_is_rejected()
    {
        await using var org = await TestOrg.StartAsync();
        var token = await org.TokenAsync();
        var body = TestOrg.HookBody("https://identiguard.example.com/h", "user.session.start");
        body["events"]!["filter"] = JsonNode.Parse("""
            {"type":"EXPRESSION_LANGUAGE","eventFilterMap":[{"event":"user.session.start",
             "condition":{"expression":"event.client.ipAddress eq '1.2.3.4'"}}]}
            """);

        var (resp, error) = await org.ApiAsync(HttpMethod.Post, "/api/v1/eventHooks", token, body);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Contains("Invalid expression", error!["errorCauses"]![0]!["errorSummary"]!.GetValue<string>());
    }
}
