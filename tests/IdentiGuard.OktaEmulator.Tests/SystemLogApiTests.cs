using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentiGuard.OktaEmulator.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IdentiGuard.OktaEmulator.Tests;

public sealed class SystemLogApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private TestOrg _org = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _org = await TestOrg.StartAsync(o => o.TimeProvider = _time);
        _token = await _org.TokenAsync("okta.logs.read");
    }

    public async Task DisposeAsync() => await _org.DisposeAsync();

    private async Task<string> EmitAsync(string type, string? targetId = null, DateTimeOffset? published = null)
    {
        var ev = LogEventFactory.Create(new LogEventSpec
        {
            EventType = type,
            Published = published ?? _time.GetUtcNow(),
            Targets = targetId is null ? null : new JsonArray(
                LogEventFactory.Target("0oaApp", "AppInstance", "app", "App"),
                LogEventFactory.Target(targetId, "User", "u@example.com", "U")),
        });
        return await _org.Emulator.EmitAsync(ev);
    }

    private static Dictionary<string, string> Links(HttpResponseMessage resp) =>
        resp.Headers.GetValues("link").Select(l => Regex.Match(l, "^<(.+)>; rel=\"(\\w+)\"$"))
            .ToDictionary(m => m.Groups[2].Value, m => m.Groups[1].Value);

    private async Task<(HttpResponseMessage Resp, JsonArray? Events)> GetAsync(string pathAndQuery)
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Get, pathAndQuery, _token);
        return (resp, body as JsonArray);
    }

    private static string Enc(string s) => Uri.EscapeDataString(s);

    [Fact]
    public async Task Polling_returns_events_in_persistence_order_with_separate_self_and_next_links()
    {
        var a = await EmitAsync("user.session.start", published: _time.GetUtcNow().AddMinutes(-5));
        var b = await EmitAsync("user.session.end", published: _time.GetUtcNow().AddMinutes(-10));

        var (resp, events) = await GetAsync($"/api/v1/logs?since={Enc("2026-06-01T00:00:00Z")}");

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal([a, b], events!.Select(e => e!["uuid"]!.GetValue<string>()).ToArray());
        Assert.Equal(2, resp.Headers.GetValues("link").Count());
        var links = Links(resp);
        Assert.Contains("self", links.Keys);
        Assert.Contains("after=", links["next"]);
    }

    [Fact]
    public async Task Polling_always_has_a_next_link_even_on_empty_pages_and_following_it_yields_only_new_events()
    {
        await EmitAsync("user.session.start");
        var (first, _) = await GetAsync("/api/v1/logs?limit=1000");
        var (empty, emptyEvents) = await GetAsync(new Uri(Links(first)["next"]).PathAndQuery);

        Assert.Empty(emptyEvents!);
        var next = Links(empty)["next"];
        Assert.Contains("limit=1000", next);

        var fresh = await EmitAsync("user.session.end");
        var (_, newEvents) = await GetAsync(new Uri(next).PathAndQuery);
        Assert.Equal(fresh, Assert.Single(newEvents!)!["uuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_after_cursor_pages_through_events_without_gaps_or_duplicates()
    {
        var uuids = new List<string>();
        for (var i = 0; i < 5; i++) uuids.Add(await EmitAsync("user.session.start"));

        var seen = new List<string>();
        var url = "/api/v1/logs?limit=2";
        for (var page = 0; page < 4; page++)
        {
            var (resp, events) = await GetAsync(url);
            seen.AddRange(events!.Select(e => e!["uuid"]!.GetValue<string>()));
            url = new Uri(Links(resp)["next"]).PathAndQuery;
        }

        Assert.Equal(uuids, seen);
    }

    [Fact]
    public async Task A_bounded_query_is_finite_and_ordered_by_published()
    {
        var late = await EmitAsync("user.session.start", published: _time.GetUtcNow().AddMinutes(-1));
        var early = await EmitAsync("user.session.start", published: _time.GetUtcNow().AddMinutes(-30));
        var until = Enc(_time.GetUtcNow().ToString("o"));

        var (resp, events) = await GetAsync($"/api/v1/logs?since={Enc("2026-06-01T00:00:00Z")}&until={until}&limit=1");
        var (last, lastEvents) = await GetAsync(new Uri(Links(resp)["next"]).PathAndQuery);

        Assert.Equal(early, Assert.Single(events!)!["uuid"]!.GetValue<string>());
        Assert.Equal(late, Assert.Single(lastEvents!)!["uuid"]!.GetValue<string>());
        Assert.DoesNotContain("next", Links(last).Keys);
    }

    [Fact]
    public async Task Descending_order_returns_the_newest_event_first()
    {
        var old = await EmitAsync("user.session.start", published: _time.GetUtcNow().AddMinutes(-30));
        var recent = await EmitAsync("user.session.start", published: _time.GetUtcNow().AddMinutes(-1));

        var (_, events) = await GetAsync("/api/v1/logs?sortOrder=DESCENDING");

        Assert.Equal([recent, old], events!.Select(e => e!["uuid"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task A_filter_on_event_type_and_any_target_id_selects_matching_events()
    {
        var hit = await EmitAsync("user.session.start", "00uTarget");
        await EmitAsync("user.session.start", "00uOther");
        await EmitAsync("user.session.end", "00uTarget");

        var filter = Enc("eventType eq \"user.session.start\" and target.id eq \"00uTarget\"");
        var (resp, events) = await GetAsync($"/api/v1/logs?filter={filter}");

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal(hit, Assert.Single(events!)!["uuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_q_parameter_matches_keywords_case_insensitively()
    {
        var hit = await EmitAsync("user.account.lock");
        await EmitAsync("user.session.start");

        var (_, events) = await GetAsync("/api/v1/logs?q=ACCOUNT.LOCK");

        Assert.Equal(hit, Assert.Single(events!)!["uuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invalid_filter_returns_400_E0000053()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Get, $"/api/v1/logs?filter={Enc("eventType equals \"x\"")}", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000053", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Published_cannot_be_used_in_a_filter()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Get, $"/api/v1/logs?filter={Enc("published gt \"2026-01-01T00:00:00Z\"")}", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Contains("published", body!["errorCauses"]![0]!["errorSummary"]!.GetValue<string>());
    }

    [Fact]
    public async Task Contains_on_the_debug_url_is_unsupported_with_E0000031()
    {
        var (resp, body) = await _org.ApiAsync(HttpMethod.Get, $"/api/v1/logs?filter={Enc("debugContext.debugData.url co \"/api\"")}", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000031", body!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_since_more_than_180_days_ago_is_rejected_with_E0000053()
    {
        var since = Enc(_time.GetUtcNow().AddDays(-181).ToString("o"));

        var (resp, body) = await _org.ApiAsync(HttpMethod.Get, $"/api/v1/logs?since={since}", _token);

        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Equal("E0000053", body!["errorCode"]!.GetValue<string>());
        Assert.Equal("Invalid parameter: The since parameter is over 180 days prior to the current day.", body["errorSummary"]!.GetValue<string>());
    }

    [Fact]
    public async Task Events_older_than_90_days_are_not_returned()
    {
        await EmitAsync("user.session.start", published: _time.GetUtcNow().AddDays(-100));
        var recent = await EmitAsync("user.session.start", published: _time.GetUtcNow().AddDays(-10));
        var since = Enc(_time.GetUtcNow().AddDays(-120).ToString("o"));
        var until = Enc(_time.GetUtcNow().ToString("o"));

        var (resp, events) = await GetAsync($"/api/v1/logs?since={since}&until={until}");

        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal(recent, Assert.Single(events!)!["uuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_limit_above_1000_is_rejected()
    {
        var (resp, _) = await _org.ApiAsync(HttpMethod.Get, "/api/v1/logs?limit=1001", _token);

        Assert.Equal(400, (int)resp.StatusCode);
    }

    [Fact]
    public async Task The_default_page_size_is_100()
    {
        for (var i = 0; i < 101; i++) await EmitAsync("user.session.start");

        var (_, events) = await GetAsync("/api/v1/logs");

        Assert.Equal(100, events!.Count);
    }

    [Fact]
    public async Task While_logs_are_unavailable_the_api_answers_500_E0000009()
    {
        _org.Emulator.SetLogsUnavailable(true);
        var (down, body) = await _org.ApiAsync(HttpMethod.Get, "/api/v1/logs", _token);
        _org.Emulator.SetLogsUnavailable(false);
        var (up, _) = await _org.ApiAsync(HttpMethod.Get, "/api/v1/logs", _token);

        Assert.Equal(500, (int)down.StatusCode);
        Assert.Equal("E0000009", body!["errorCode"]!.GetValue<string>());
        Assert.Equal(200, (int)up.StatusCode);
    }
}
