using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.SystemLog;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class ScimFilterTests
{
    private static readonly JsonObject Event = JsonNode.Parse("""
        {"eventType":"user.session.start","severity":"WARN",
         "actor":{"id":"00uActor","alternateId":"admin@example.com"},
         "outcome":{"result":"FAILURE","reason":null},
         "securityContext":{"asNumber":577,"isProxy":true},
         "target":[{"id":"0oaApp","type":"AppInstance"},{"id":"00uTarget","type":"User"}],
         "client":{"ipAddress":"184.73.186.14"}}
        """)!.AsObject();

    [Theory]
    [InlineData("eventType eq \"user.session.start\"", true)]
    [InlineData("eventType EQ \"user.session.start\"", true)]
    [InlineData("eventType eq \"user.session.end\"", false)]
    [InlineData("actor.id ne \"00uActor\"", false)]
    [InlineData("actor.id ne \"00uOther\"", true)]
    [InlineData("eventType sw \"user.session\"", true)]
    [InlineData("actor.alternateId co \"@example\"", true)]
    [InlineData("actor.alternateId ew \".com\"", true)]
    [InlineData("actor.alternateId ew \".org\"", false)]
    [InlineData("outcome.result pr", true)]
    [InlineData("outcome.reason pr", false)]
    [InlineData("securityContext.asNumber gt 500", true)]
    [InlineData("securityContext.asNumber le 500", false)]
    [InlineData("securityContext.asNumber ge 577 and securityContext.asNumber lt 578", true)]
    [InlineData("securityContext.isProxy eq true", true)]
    [InlineData("securityContext.isProxy eq false", false)]
    [InlineData("target.id eq \"00uTarget\"", true)]
    [InlineData("target.type eq \"Group\"", false)]
    [InlineData("eventType eq \"x\" or outcome.result eq \"FAILURE\"", true)]
    [InlineData("not (outcome.result eq \"FAILURE\")", false)]
    [InlineData("(eventType eq \"x\" or severity eq \"WARN\") and client.ipAddress eq \"184.73.186.14\"", true)]
    [InlineData("eventType eq \"x\" or severity eq \"WARN\" and client.ipAddress eq \"1.1.1.1\"", false)]
    [InlineData("outcome.reason eq null", true)]
    public void A_filter_expression_matches_the_event_as_scim_defines(string filter, bool expected)
    {
        Assert.Equal(expected, ScimFilter.Parse(filter).Matches(Event));
    }

    [Theory]
    [InlineData("eventType equals \"x\"")]
    [InlineData("eventType eq")]
    [InlineData("eventType eq \"unterminated")]
    [InlineData("(eventType eq \"x\"")]
    [InlineData("target[type eq \"User\"].id eq \"x\"")]
    [InlineData("eventType sw 5")]
    [InlineData("published gt \"2020-01-01T00:00:00Z\"")]
    [InlineData("not eventType eq \"x\"")]
    [InlineData("eventType eq \"x\" and")]
    public void An_invalid_filter_is_rejected(string filter)
    {
        Assert.Throws<ScimFilterException>(() => ScimFilter.Parse(filter));
    }
}
