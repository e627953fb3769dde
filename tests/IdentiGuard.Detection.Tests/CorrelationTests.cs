using IdentiGuard.Detection;
using Xunit;

namespace IdentiGuard.Detection.Tests;

public class CorrelationTests
{
    private const string Fail = """
title: Failed login
id: fail
name: fail
level: low
detection:
  sel:
    eventType: user.session.start
    outcome.result: FAILURE
  condition: sel
""";
    private const string Success = """
title: Successful login
id: ok
name: ok
level: low
detection:
  sel:
    eventType: user.session.start
    outcome.result: SUCCESS
  condition: sel
""";

    private static string Corr(string id, string body, string extra = "") => $"""
title: {id}
id: {id}
level: high
{extra}
correlation:
{body}
""";

    private static OktaEvent Login(string result, string user, double sec, string ip = "1.1.1.1", double lat = 40.7, double lon = -74, bool proxy = false, string? uuid = null)
        => T.Ev("{\"eventType\":\"user.session.start\",\"outcome\":{\"result\":\"" + result + "\"},\"actor\":{\"alternateId\":\"" + user + "\",\"id\":\"id-" + user + "\"},\"client\":{\"ipAddress\":\"" + ip + "\",\"geographicalContext\":{\"geolocation\":{\"lat\":" + lat.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"lon\":" + lon.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}},\"securityContext\":{\"isProxy\":" + (proxy ? "true" : "false") + "}}", sec, uuid);

    private static string EventCount(int n = 3, string span = "10m") => Corr("brute", $"""
  type: event_count
  rules: [fail]
  group-by: [actor.alternateId]
  timespan: {span}
  condition:
    gte: {n}
""");

    [Fact]
    public void Event_count_fires_once_per_full_set_and_base_rule_is_silent()
    {
        var pack = T.Pack(Fail + "\n---\n" + EventCount());
        Assert.False(pack.Rules.Single(r => r.Id == "fail").EmitsAlerts);
        var d = T.Detector(pack);
        var f = T.Run(d, [Login("FAILURE", "a", 0), Login("FAILURE", "a", 10), Login("FAILURE", "b", 20), Login("FAILURE", "a", 30), Login("FAILURE", "a", 40)]);
        var one = Assert.Single(f);
        Assert.Equal("brute", one.RuleId);
        Assert.Equal(3, one.EventIds.Count);
        Assert.Equal(T.Start, one.FirstSeen);
        Assert.Equal(T.Start.AddSeconds(30), one.LastSeen);
        Assert.Equal("actor.alternateId=a", one.GroupKey);
        Assert.Contains("event_count 3 ≥ 3 within 10m for actor.alternateId=a", one.Explanation);
        Assert.Contains("selection 'sel' matched eventType=user.session.start", one.Explanation);
    }

    [Fact]
    public void Event_count_respects_window_and_out_of_order_events()
    {
        var pack = T.Pack(Fail, EventCount(3, "1m"));
        // spread over 3 minutes: no alert
        Assert.Empty(T.Run(T.Detector(pack), [Login("FAILURE", "a", 0), Login("FAILURE", "a", 70), Login("FAILURE", "a", 140)]));
        // late event lands inside the window of earlier ones
        var f = T.Run(T.Detector(pack), [Login("FAILURE", "a", 100), Login("FAILURE", "a", 130), Login("FAILURE", "a", 90)]);
        Assert.Single(f);
        Assert.Equal(T.Start.AddSeconds(90), f[0].FirstSeen);
    }

    [Fact]
    public void Late_events_are_evaluated_with_their_own_time_not_dropped()
    {
        var pack = T.Pack(Fail, EventCount(2, "1m"), Success);
        var d = T.Detector(pack);
        Assert.Empty(d.Observe(Login("FAILURE", "a", 7200)));
        // backfill from two hours earlier: both old events correlate together
        Assert.Empty(d.Observe(Login("FAILURE", "b", 0)));
        Assert.Single(d.Observe(Login("FAILURE", "b", 5)));
        Assert.Single(d.Observe(Login("SUCCESS", "c", 1)));
    }

    [Fact]
    public void Duplicate_uuids_are_ignored()
    {
        var pack = T.Pack(Success);
        var d = T.Detector(pack);
        Assert.Single(d.Observe(Login("SUCCESS", "a", 0, uuid: "same")));
        Assert.Empty(d.Observe(Login("SUCCESS", "a", 0, uuid: "same")));
    }

    [Fact]
    public void A_uuid_reused_at_another_publish_time_is_another_event()
    {
        // A redelivery repeats the publish time; the host's store keys events the same way.
        var d = T.Detector(T.Pack(Success));
        Assert.Single(d.Observe(Login("SUCCESS", "a", 0, uuid: "same")));
        Assert.Single(d.Observe(Login("SUCCESS", "a", 60, uuid: "same")));
    }

    [Fact]
    public void Alert_dedup_window_suppresses_repeats_per_group()
    {
        var pack = T.Pack(Success.Replace("level: low", "level: low\nidentiguard:\n  dedup: 1h"));
        var d = T.Detector(pack);
        var f = T.Run(d, [Login("SUCCESS", "a", 0), Login("SUCCESS", "a", 60), Login("SUCCESS", "b", 61), Login("SUCCESS", "a", 3700)]);
        Assert.Equal(3, f.Count);
        Assert.Equal(f.Count, f.Select(x => x.DedupKey).Distinct().Count());
    }

    [Fact]
    public void Dedup_key_is_deterministic_across_a_replay()
    {
        var pack = T.Pack(Fail, EventCount());
        var evs = Enumerable.Range(0, 3).Select(i => Login("FAILURE", "a", i, uuid: $"x{i}")).ToList();
        var k1 = T.Run(T.Detector(pack), evs).Single().DedupKey;
        var k2 = T.Run(T.Detector(pack), evs).Single().DedupKey;
        Assert.Equal(k1, k2);
        Assert.StartsWith("brute:", k1);
    }

    [Fact]
    public void Value_count_counts_distinct_values()
    {
        var pack = T.Pack(Fail, Corr("spray", """
  type: value_count
  rules: [fail]
  group-by: [client.ipAddress]
  timespan: 10m
  condition:
    field: actor.alternateId
    gte: 3
"""));
        var d = T.Detector(pack);
        Assert.Empty(T.Run(d, [Login("FAILURE", "a", 0), Login("FAILURE", "a", 1), Login("FAILURE", "b", 2)], flush: false));
        var f = d.Observe(Login("FAILURE", "C", 3));
        Assert.Single(f);
        Assert.Contains("value_count of actor.alternateId 3", f[0].Explanation);
    }

    [Fact]
    public void Temporal_and_temporal_ordered()
    {
        var temporal = T.Pack(Fail, Success, Corr("t", "  type: temporal\n  rules: [ok, fail]\n  group-by: [actor.alternateId]\n  timespan: 5m"));
        Assert.Single(T.Run(T.Detector(temporal), [Login("SUCCESS", "a", 0), Login("FAILURE", "a", 60)]));
        Assert.Single(T.Run(T.Detector(temporal), [Login("FAILURE", "a", 0), Login("SUCCESS", "a", 60)]));
        Assert.Empty(T.Run(T.Detector(temporal), [Login("FAILURE", "a", 0), Login("SUCCESS", "a", 600)]));
        var ordered = T.Pack(Fail, Success, Corr("to", "  type: temporal_ordered\n  rules: [fail, ok]\n  group-by: [actor.alternateId]\n  timespan: 5m"));
        Assert.Single(T.Run(T.Detector(ordered), [Login("FAILURE", "a", 0), Login("SUCCESS", "a", 60)]));
        Assert.Empty(T.Run(T.Detector(ordered), [Login("SUCCESS", "a", 0), Login("FAILURE", "a", 60)]));
        // out of order arrival, correct event-time order
        Assert.Single(T.Run(T.Detector(ordered), [Login("SUCCESS", "a", 60), Login("FAILURE", "a", 0)]));
    }

    [Fact]
    public void Repeat_until_success()
    {
        var pack = T.Pack(Fail, Success, Corr("rus", "  type: repeat_until_success\n  rules: [fail, ok]\n  group-by: [actor.alternateId]\n  timespan: 10m\n  condition: {gte: 3}"));
        var f = T.Run(T.Detector(pack), [Login("FAILURE", "a", 0), Login("FAILURE", "a", 1), Login("FAILURE", "a", 2), Login("SUCCESS", "a", 30)]);
        Assert.Equal(4, Assert.Single(f).EventIds.Count);
        Assert.Empty(T.Run(T.Detector(pack), [Login("FAILURE", "a", 0), Login("FAILURE", "a", 1), Login("SUCCESS", "a", 30)]));
        Assert.Empty(T.Run(T.Detector(pack), [Login("FAILURE", "a", 0), Login("FAILURE", "a", 1), Login("FAILURE", "a", 2), Login("SUCCESS", "a", 3000)]));
        Assert.Empty(T.Run(T.Detector(pack), [Login("FAILURE", "a", 0), Login("FAILURE", "a", 1), Login("FAILURE", "b", 2), Login("SUCCESS", "a", 30)]));
    }

    [Fact]
    public void Absence_fires_on_later_event_time_or_flush()
    {
        var pack = T.Pack(Fail, Success, Corr("abs", "  type: absence\n  rules: [fail, ok]\n  group-by: [actor.alternateId]\n  timespan: 5m"));
        var d = T.Detector(pack);
        Assert.Empty(d.Observe(Login("FAILURE", "a", 0)));
        Assert.Empty(d.Observe(Login("FAILURE", "b", 10)));
        Assert.Empty(d.Observe(Login("SUCCESS", "b", 100)));
        var f = d.Observe(Login("SUCCESS", "z", 400)); // event time passes a+5m
        Assert.Equal("actor.alternateId=a", Assert.Single(f).GroupKey);
        Assert.Empty(d.Flush(DateTime.MaxValue));
        // flush at end of input
        var d2 = T.Detector(pack);
        Assert.Empty(d2.Observe(Login("FAILURE", "a", 0)));
        Assert.Single(d2.Flush(T.Start.AddMinutes(6)));
        // B after the window does not cancel
        Assert.Single(T.Run(T.Detector(pack), [Login("FAILURE", "a", 0), Login("SUCCESS", "a", 400)]));
    }

    [Fact]
    public void First_seen_new_value_per_entity_with_history_export_import()
    {
        var pack = T.Pack(Success, Corr("newip", "  type: first_seen\n  rules: [ok]\n  group-by: [actor.alternateId]\n  field: client.ipAddress\n  history: 30d"));
        var d = T.Detector(pack);
        var f = T.Run(d, [Login("SUCCESS", "a", 0, ip: "1.1.1.1"), Login("SUCCESS", "a", 10, ip: "1.1.1.1"), Login("SUCCESS", "a", 20, ip: "2.2.2.2"), Login("SUCCESS", "b", 30, ip: "3.3.3.3")]);
        Assert.Contains("client.ipAddress=2.2.2.2", Assert.Single(f).Explanation);
        var exported = d.ExportFirstSeen();
        Assert.NotEmpty(exported);
        // restart: import the history; the old IP is known, a new one alerts
        var d2 = T.Detector(pack);
        d2.ImportFirstSeen(exported);
        Assert.Empty(d2.Observe(Login("SUCCESS", "a", 100, ip: "2.2.2.2")));
        Assert.Single(d2.Observe(Login("SUCCESS", "a", 110, ip: "4.4.4.4")));
        // history expiry: after 31 days the value is new again
        Assert.Empty(d2.Observe(Login("SUCCESS", "a", 110 + 20 * 86400, ip: "4.4.4.4")));
        Assert.Single(d2.Observe(Login("SUCCESS", "a", 110 + 31 * 86400, ip: "1.1.1.1")));
    }

    [Fact]
    public void Impossible_travel_with_proxy_and_cidr_exclusions()
    {
        var it = Corr("travel", """
  type: impossible_travel
  rules: [ok]
  group-by: [actor.id]
  max-speed-kmh: 900
  min-distance-km: 100
  exclude:
    proxy: true
    cidrs: '%param.vpn%'
""", "identiguard:\n  parameters:\n    vpn: [10.0.0.0/8]");
        var pack = T.Pack(Success, it);
        // New York -> London in 1 hour
        var f = T.Run(T.Detector(pack), [Login("SUCCESS", "a", 0, "1.1.1.1", 40.71, -74.0), Login("SUCCESS", "a", 3600, "2.2.2.2", 51.5, -0.12)]);
        Assert.Contains("impossible_travel", Assert.Single(f).Explanation);
        // 10 hours: plausible
        Assert.Empty(T.Run(T.Detector(pack), [Login("SUCCESS", "a", 0, "1.1.1.1", 40.71, -74.0), Login("SUCCESS", "a", 36000, "2.2.2.2", 51.5, -0.12)]));
        // proxy or VPN CIDR: excluded
        Assert.Empty(T.Run(T.Detector(pack), [Login("SUCCESS", "a", 0, "1.1.1.1", 40.71, -74.0), Login("SUCCESS", "a", 3600, "2.2.2.2", 51.5, -0.12, proxy: true)]));
        Assert.Empty(T.Run(T.Detector(pack), [Login("SUCCESS", "a", 0, "1.1.1.1", 40.71, -74.0), Login("SUCCESS", "a", 3600, "10.2.2.2", 51.5, -0.12)]));
        // different users don't correlate
        Assert.Empty(T.Run(T.Detector(pack), [Login("SUCCESS", "a", 0, "1.1.1.1", 40.71, -74.0), Login("SUCCESS", "b", 3600, "2.2.2.2", 51.5, -0.12)]));
    }

    [Fact]
    public void Memory_is_bounded_per_group_and_by_window()
    {
        var pack = T.Pack(Fail, EventCount(1_000_000, "1h"));
        var settings = new DetectionSettings { MaxEventsPerGroup = 100 };
        var d = T.Detector(pack, settings);
        for (int i = 0; i < 5000; i++) d.Observe(Login("FAILURE", "a", i * 0.1));
        Assert.True(d.BufferedEntries <= 100);
        // events for many groups, spread over days: old state is evicted
        var d2 = T.Detector(pack);
        for (int i = 0; i < 5000; i++) d2.Observe(Login("FAILURE", "user" + i, i * 60));
        Assert.True(d2.BufferedEntries < 1200, $"buffered {d2.BufferedEntries}");
    }

    [Fact]
    public void Lt_condition_fires_when_the_window_closes()
    {
        var pack = T.Pack(Success, Corr("few", "  type: event_count\n  rules: [ok]\n  group-by: [actor.alternateId]\n  timespan: 10m\n  condition: {lt: 3}"));
        var d = T.Detector(pack);
        Assert.Empty(T.Run(d, [Login("SUCCESS", "a", 0), Login("SUCCESS", "a", 10)], flush: false));
        var f = d.Flush(T.Start.AddMinutes(11));
        Assert.Equal(2, Assert.Single(f).EventIds.Count);
        var d2 = T.Detector(pack);
        Assert.Empty(T.Run(d2, [Login("SUCCESS", "a", 0), Login("SUCCESS", "a", 10), Login("SUCCESS", "a", 20)], flush: false));
        Assert.Empty(d2.Flush(T.Start.AddMinutes(11)));
    }

    [Fact]
    public void Generate_true_keeps_base_rule_alerts()
    {
        var pack = T.Pack(Fail, EventCount().Replace("  condition:", "  generate: true\n  condition:"));
        Assert.True(pack.Rules.Single(r => r.Id == "fail").EmitsAlerts);
        Assert.Equal(4, T.Run(T.Detector(pack), [Login("FAILURE", "a", 0), Login("FAILURE", "a", 1), Login("FAILURE", "a", 2)]).Count);
    }

    [Fact]
    public void Longest_window_covers_timespans_and_dedup()
    {
        var pack = T.Pack(Fail, EventCount(3, "2h"), Success.Replace("level: low", "level: low\nidentiguard:\n  dedup: 3h"));
        Assert.Equal(TimeSpan.FromHours(3), pack.LongestWindow);
    }
}
