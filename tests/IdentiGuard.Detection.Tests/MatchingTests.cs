using IdentiGuard.Detection;
using Xunit;

namespace IdentiGuard.Detection.Tests;

public class MatchingTests
{
    private static bool Matches(string detection, string eventJson, string extra = "")
    {
        var pack = T.Pack(T.Base("r", detection, extra));
        var d = T.Detector(pack);
        return d.Observe(T.Ev(eventJson)).Any(f => f.RuleId == "r");
    }

    private const string Login = """
    {"eventType":"user.session.start","actor":{"alternateId":"Alice@Example.com","id":"00u1","type":"User"},
     "outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"},
     "client":{"ipAddress":"10.1.2.3","userAgent":{"rawUserAgent":"Mozilla/5.0 PS_marker"},"geographicalContext":{"country":"United States","geolocation":{"lat":40.7,"lon":-74.0}}},
     "securityContext":{"asNumber":701,"isProxy":false},
     "displayMessage":"User login to Okta",
     "target":[{"type":"AppInstance","alternateId":"Okta Admin Console","displayName":"Okta Admin Console"},
               {"type":"User","alternateId":"bob@example.com","displayName":"Bob","detailEntry":"{\"policyType\":\"OKTA_SIGN_ON\"}"}],
     "debugContext":{"debugData":{"behaviors":"{New Geo-Location=NEGATIVE, New Device=POSITIVE, New IP=POSITIVE}",
        "risk":"{reasons=Anomalous Device, Anomalous Location, level=HIGH}",
        "logOnlySecurityData":"{\"risk\":{\"level\":\"LOW\"},\"behaviors\":{\"New IP\":\"POSITIVE\",\"New Device\":\"NEGATIVE\"}}",
        "threatSuspected":"false"}}}
    """;

    [Theory]
    [InlineData("    eventType: user.session.start", true)]
    [InlineData("    eventType: USER.SESSION.START", true)]
    [InlineData("    eventtype: user.session.start", true)]
    [InlineData("    EVENTTYPE: user.session.*", true)]
    [InlineData("    eventType: user.session.?tart", true)]
    [InlineData("    eventType: user.session", false)]
    [InlineData("    displaymessage|contains: LOGIN TO", true)]
    [InlineData("    actor.alternateId|endswith: '@example.com'", true)]
    [InlineData("    actor.alternateId|startswith: alice", true)]
    [InlineData("    actor.alternateId|startswith: bob", false)]
    [InlineData("    actor.alternateId|cased: alice@example.com", false)]
    [InlineData("    actor.alternateId|re: '^Alice@'", true)]
    [InlineData("    actor.alternateId|re: '^alice@'", false)]
    [InlineData("    actor.alternateId|re|i: '^alice@'", true)]
    [InlineData("    client.ipAddress|cidr: 10.0.0.0/8", true)]
    [InlineData("    client.ipAddress|cidr: [192.168.0.0/16, 172.16.0.0/12]", false)]
    [InlineData("    securityContext.asNumber|gt: 700", true)]
    [InlineData("    securityContext.asNumber|gte: 701", true)]
    [InlineData("    securityContext.asNumber|lt: 701", false)]
    [InlineData("    securityContext.asNumber|lte: 701", true)]
    [InlineData("    securityContext.asNumber: 701", true)]
    [InlineData("    securityContext.isProxy: false", true)]
    [InlineData("    securityContext.isProxy: true", false)]
    [InlineData("    outcome.reason|exists: true", true)]
    [InlineData("    outcome.nothing|exists: false", true)]
    [InlineData("    outcome.nothing: null", true)]
    [InlineData("    outcome.reason: null", false)]
    [InlineData("    outcome.result: [SUCCESS, FAILURE]", true)]
    [InlineData("    displayMessage|contains|all: [user, okta]", true)]
    [InlineData("    displayMessage|contains|all: [user, nope]", false)]
    [InlineData("    target.displayName: Bob", true)]
    [InlineData("    target.0.displayName: Okta Admin Console", true)]
    [InlineData("    target.0.displayName: Bob", false)]
    [InlineData("    debugContext.debugData.behaviors.New Device: POSITIVE", true)]
    [InlineData("    debugContext.debugData.behaviors.new geo-location: POSITIVE", false)]
    [InlineData("    debugContext.debugData.behaviors|contains: 'New IP=POSITIVE'", true)]
    [InlineData("    debugContext.debugData.risk.level: HIGH", true)]
    [InlineData("    debugContext.debugData.risk.reasons|contains: Anomalous Location", true)]
    [InlineData("    debugContext.debugData.logOnlySecurityData.behaviors.New IP: POSITIVE", true)]
    [InlineData("    debugContext.debugData.logOnlySecurityData.risk.level: LOW", true)]
    [InlineData("    target.detailEntry.policyType: OKTA_SIGN_ON", true)]
    [InlineData("    actor.alternateId|fieldref: target.alternateId", false)]
    public void Modifiers_and_paths(string selection, bool expected)
        => Assert.Equal(expected, Matches("  selection:\n" + selection + "\n  condition: selection", Login));

    [Fact]
    public void Array_keys_in_one_selection_bind_to_the_same_element()
    {
        Assert.True(Matches("""
          sel:
            target.type: User
            target.alternateId: bob@example.com
          condition: sel
        """, Login));
        Assert.False(Matches("""
          sel:
            target.type: User
            target.alternateId: Okta Admin Console
          condition: sel
        """, Login));
        // different selections are independent
        Assert.True(Matches("""
          a:
            target.type: User
          b:
            target.alternateId: Okta Admin Console
          condition: a and b
        """, Login));
    }

    [Fact]
    public void Fieldref_with_element_binding()
    {
        var ev = """{"eventType":"application.user_membership.show_password","actor":{"alternateId":"a@x.com"},"target":[{"type":"AppInstance","alternateId":"a@x.com"},{"type":"User","alternateId":"b@x.com"}]}""";
        var det = """
          selection:
            eventType: application.user_membership.show_password
          self:
            target.type: User
            target.alternateId|fieldref: actor.alternateId
          condition: selection and not self
        """;
        Assert.True(Matches(det, ev));
        var own = ev.Replace("b@x.com", "A@X.com");
        Assert.False(Matches(det, own));
    }

    [Theory]
    [InlineData("sel_a and sel_b", true)]
    [InlineData("sel_a and not sel_b", false)]
    [InlineData("sel_a and (sel_c or sel_b)", true)]
    [InlineData("not sel_c", true)]
    [InlineData("1 of sel_*", true)]
    [InlineData("all of sel_*", false)]
    [InlineData("all of sel_a*", true)]
    [InlineData("1 of them", true)]
    [InlineData("all of them", false)]
    [InlineData("sel_c or sel_a and sel_b", true)]
    [InlineData("(sel_c or sel_a) and not (sel_b and sel_c)", true)]
    [InlineData("all of filter_*", false)]
    public void Conditions(string condition, bool expected)
    {
        var det = $"""
          sel_a:
            eventType: user.session.start
          sel_ab:
            outcome.result: FAILURE
          sel_b:
            actor.id: 00u1
          sel_c:
            actor.id: other
          filter_x:
            outcome.result: SUCCESS
          condition: {condition}
        """;
        Assert.Equal(expected, Matches(det, Login));
    }

    [Fact]
    public void List_of_maps_is_or_and_keywords_search_raw()
    {
        Assert.True(Matches("""
          sel:
            - eventType: nope
            - outcome.result: FAILURE
          condition: sel
        """, Login));
        Assert.True(Matches("""
          kw:
            - 'INVALID_CREDENTIALS'
          condition: kw
        """, Login));
    }

    [Fact]
    public void Parameters_expand_to_lists_and_settings_override()
    {
        var yaml = T.Base("p", """
          sel:
            client.geographicalContext.country: '%param.countries%'
          condition: sel
        """, "identiguard:\n  parameters:\n    countries: [Russia, China]");
        var pack = T.Pack(yaml);
        Assert.Empty(T.Detector(pack).Observe(T.Ev(Login)));
        var settings = new DetectionSettings(Parameters: new Dictionary<string, IReadOnlyDictionary<string, string>>
        { ["p"] = new Dictionary<string, string> { ["countries"] = "China, United States" } });
        Assert.Single(T.Detector(pack, settings).Observe(T.Ev(Login)));
    }

    [Fact]
    public void Disabled_rule_needs_configuration()
    {
        var yaml = T.Base("m", """
          sel:
            client.userAgent.rawUserAgent|endswith: '%param.marker%'
          condition: not sel
        """, "identiguard:\n  enabled: false\n  parameters:\n    marker: null");
        var pack = T.Pack(yaml);
        Assert.False(pack.Rules[0].EnabledByDefault);
        Assert.Null(pack.Rules[0].Parameters["marker"]);
        Assert.Empty(T.Detector(pack).Observe(T.Ev(Login)));
        var configured = new DetectionSettings(EnabledOverrides: new HashSet<string> { "m" },
            Parameters: new Dictionary<string, IReadOnlyDictionary<string, string>> { ["m"] = new Dictionary<string, string> { ["marker"] = "OTHER" } });
        Assert.Single(T.Detector(pack, configured).Observe(T.Ev(Login)));
        var matching = configured with { Parameters = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["m"] = new Dictionary<string, string> { ["marker"] = "PS_marker" } } };
        Assert.Empty(T.Detector(pack, matching).Observe(T.Ev(Login)));
    }

    [Fact]
    public void Regex_times_out_instead_of_stalling()
    {
        var old = DetectionDiagnostics.RegexTimeout;
        try
        {
            DetectionDiagnostics.RegexTimeout = TimeSpan.FromMilliseconds(50);
            var pack = T.Pack(T.Base("slow", "  sel:\n    displayMessage|re: '^(a+)+$'\n  condition: sel"));
            var d = T.Detector(pack);
            var before = DetectionDiagnostics.RegexTimeouts;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var f = d.Observe(T.Ev("{\"eventType\":\"x\",\"displayMessage\":\"" + new string('a', 40) + "!\"}"));
            Assert.Empty(f);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
            Assert.True(DetectionDiagnostics.RegexTimeouts > before);
        }
        finally { DetectionDiagnostics.RegexTimeout = old; }
    }

    [Fact]
    public void Timestamps_accept_iso_and_space_formats()
    {
        var a = OktaEvent.Parse("""{"uuid":"1","published":"2021-01-08 21:28:34.875123456","eventType":"x"}""");
        Assert.Equal(new DateTime(2021, 1, 8, 21, 28, 34, DateTimeKind.Utc).AddTicks(8751234), a.Published);
        Assert.Equal(DateTimeKind.Utc, a.Published.Kind);
        var b = OktaEvent.Parse("""{"uuid":"1","published":"2021-01-08T23:28:34+02:00","eventType":"x"}""");
        Assert.Equal(new DateTime(2021, 1, 8, 21, 28, 34, DateTimeKind.Utc), b.Published);
        var c = OktaEvent.Parse("""{"UUID":"1","PUBLISHED":"2021-01-08 21:28:34","EVENTTYPE":"x"}""");
        Assert.Equal("x", c.EventType);
        Assert.Equal("1", c.Uuid);
    }

    [Fact]
    public void Event_type_index_is_used_but_unindexed_rules_still_run()
    {
        var pack = T.Pack(
            T.Base("indexed", "  sel:\n    eventType: [user.session.start, x.y]\n  condition: sel"),
            T.Base("unindexed", "  sel:\n    eventType|startswith: user.\n  condition: sel"),
            T.Base("negated", "  sel:\n    eventType: a.b\n  condition: not sel"));
        var d = T.Detector(pack);
        var ids = d.Observe(T.Ev(Login)).Select(f => f.RuleId).OrderBy(x => x).ToList();
        Assert.Equal(["indexed", "negated", "unindexed"], ids);
    }

    [Fact]
    public void Dynamic_severity_first_match_wins()
    {
        var yaml = T.Base("sev", """
          sel:
            eventType: user.account.privilege.grant
          super:
            debugContext.debugData.privilegeGranted|contains: Super administrator
          condition: sel
        """, """
        identiguard:
          severity:
            - when: super
              level: critical
            - when: {debugContext.debugData.privilegeGranted|contains: Administrator}
              level: high
        """);
        var d = T.Detector(T.Pack(yaml));
        Assert.Equal(Severity.Critical, d.Observe(T.Ev("""{"eventType":"user.account.privilege.grant","debugContext":{"debugData":{"privilegeGranted":"Super administrator, App admin"}}}""")).Single().Severity);
        Assert.Equal(Severity.High, d.Observe(T.Ev("""{"eventType":"user.account.privilege.grant","debugContext":{"debugData":{"privilegeGranted":"Org Administrator"}}}""")).Single().Severity);
        Assert.Equal(Severity.Medium, d.Observe(T.Ev("""{"eventType":"user.account.privilege.grant","debugContext":{"debugData":{"privilegeGranted":"Help desk"}}}""")).Single().Severity);
    }
}
