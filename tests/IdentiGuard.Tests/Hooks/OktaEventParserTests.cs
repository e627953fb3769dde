using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Server.Ingestion;

namespace IdentiGuard.Tests.Hooks;

/// <summary>
/// A hook delivery and the System Log API bring the same event in different clothes (envelope, formatting); both must
/// store the same text, since the store tells a redelivery from a reused placeholder uuid by comparing texts.
/// </summary>
public sealed class OktaEventParserTests
{
    private static readonly DateTime Received = new(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);

    public static TheoryData<string> CorpusFiles() => ["okta-samples.jsonl", "dev.jsonl"];

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void A_delivered_event_is_stored_as_the_polled_one_is(string file)
    {
        var events = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "corpus", file))
            .Where(l => l.Trim().Length > 0).Select(l => JsonNode.Parse(l)!["event"]!.AsObject()).ToList();
        Assert.NotEmpty(events);
        foreach (var e in events)
        {
            var polled = OktaEventParser.FromLogEvent(e, Received);
            // Okta's formatting is its own: deliver the event pretty-printed inside the hook envelope.
            var envelope = new JsonObject { ["eventType"] = "com.okta.event_hook", ["eventId"] = "d1", ["data"] = new JsonObject { ["events"] = new JsonArray(e.DeepClone()) } };
            var body = Encoding.UTF8.GetBytes(envelope.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            var delivered = Assert.Single(OktaEventParser.ParseDelivery(body, Received).Events);
            Assert.Equal(polled, delivered);
            Assert.Equal(e.ToJsonString(), delivered.Json);
        }
    }

    [Fact]
    public void Fields_are_read_from_the_event_and_missing_ones_fall_back()
    {
        var body = """
            {"eventType":"com.okta.event_hook","eventTime":"2026-11-29T10:00:00Z","data":{"events":[
              {"uuid":"u1","eventType":"user.session.start","published":"2026-11-29T09:59:58.123Z",
               "actor":{"id":"00u1","alternateId":"ann@example.com"},"client":{"ipAddress":"203.0.113.7"},"outcome":{"result":"SUCCESS"}},
              {"eventType":"user.account.lock","actor":{"id":"00u2","displayName":"Bob"},"client":{"ipAddress":null},"outcome":"odd"}
            ]}}
            """;
        var events = OktaEventParser.ParseDelivery(Encoding.UTF8.GetBytes(body), Received).Events;

        Assert.Equal(new IncomingEvent("u1", "user.session.start", new DateTime(2026, 11, 29, 9, 59, 58, 123, DateTimeKind.Utc), "00u1", "ann@example.com",
            "203.0.113.7", "SUCCESS", events[0].Json), events[0]);
        Assert.StartsWith("synthetic-", events[1].Uuid);
        Assert.Equal(new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc), events[1].Published);
        Assert.Equal(("Bob", (string?)null, (string?)null), (events[1].ActorAlternateId, events[1].ClientIp, events[1].OutcomeResult));
    }

    [Fact]
    public void A_publish_time_is_kept_to_the_microsecond_every_provider_stores()
    {
        var body = """{"data":{"events":[{"uuid":"u1","eventType":"user.session.start","published":"2026-11-29T09:59:58.1234567Z"}]}}""";
        var published = OktaEventParser.ParseDelivery(Encoding.UTF8.GetBytes(body), Received).Events[0].Published;

        Assert.Equal(new DateTime(2026, 11, 29, 9, 59, 58, 123, 456, DateTimeKind.Utc), published);
        Assert.Equal(DateTimeKind.Utc, published.Kind);
    }

    [Theory]
    [InlineData("{} {}")]
    [InlineData("[]")]
    [InlineData("""{"data":{"events":[1]}}""")]
    [InlineData("""{"data":[]}""")]
    [InlineData("""{"data":{"events":{}}}""")]
    [InlineData("""{"eventType":"com.okta.event_hook"}""")]
    public void Anything_but_a_delivery_is_refused(string body) =>
        Assert.Throws<FormatException>(() => OktaEventParser.ParseDelivery(Encoding.UTF8.GetBytes(body), Received));
}
