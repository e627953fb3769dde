using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentiGuard.Server.Events;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Events;

/// <summary>The Events explorer: Okta's System Log filter syntax over the stored events of a workspace.</summary>
public sealed class EventsExplorerTests
{
    private static readonly JsonElement Sample = JsonDocument.Parse("""
        {
          "uuid": "ev-1", "eventType": "user.session.start", "published": "2026-11-29T10:00:00.000Z", "severity": "INFO",
          "actor": { "id": "00u1", "alternateId": "bob@acme.com", "type": "User" },
          "outcome": { "result": "FAILURE", "reason": "INVALID_CREDENTIALS" },
          "client": { "ipAddress": "203.0.113.7", "geographicalContext": { "country": "France", "geolocation": { "lat": 48.85 } } },
          "securityContext": { "isProxy": false },
          "target": [ { "id": "00u2", "type": "User" }, { "id": "0oa9", "type": "AppInstance" } ]
        }
        """).RootElement;

    private static bool Match(string filter) => OktaFilter.Matches(OktaFilter.Parse(filter)!, Sample);

    [Theory]
    [InlineData("eventType eq \"user.session.start\"", true)]
    [InlineData("eventType eq \"user.session.end\"", false)]
    [InlineData("eventType EQ \"user.session.start\"", true)]
    [InlineData("EVENTTYPE eq \"user.session.start\"", true)]
    [InlineData("eventType eq \"USER.SESSION.START\"", false)]
    [InlineData("actor.id ne \"00u9\"", true)]
    [InlineData("actor.id ne \"00u1\"", false)]
    [InlineData("actor.alternateId sw \"bob\"", true)]
    [InlineData("actor.alternateId sw \"acme\"", false)]
    [InlineData("actor.alternateId co \"@acme\"", true)]
    [InlineData("actor.alternateId ew \".com\"", true)]
    [InlineData("actor.alternateId ew \".org\"", false)]
    [InlineData("client.ipAddress pr", true)]
    [InlineData("client.userAgent pr", false)]
    [InlineData("client.geographicalContext.country eq \"France\"", true)]
    [InlineData("client.geographicalContext.geolocation.lat gt 48", true)]
    [InlineData("client.geographicalContext.geolocation.lat ge 48.85", true)]
    [InlineData("client.geographicalContext.geolocation.lat lt 48", false)]
    [InlineData("client.geographicalContext.geolocation.lat le 48.85", true)]
    [InlineData("published gt \"2026-11-29T09:00:00Z\"", true)]
    [InlineData("published lt \"2026-11-29T09:00:00Z\"", false)]
    [InlineData("securityContext.isProxy eq false", true)]
    [InlineData("securityContext.isProxy eq true", false)]
    [InlineData("target.id eq \"00u2\"", true)]
    [InlineData("target.id eq \"0oa9\"", true)]
    [InlineData("target.id eq \"00u3\"", false)]
    [InlineData("target.type eq \"AppInstance\"", true)]
    public void EachOperator(string filter, bool expected) => Assert.Equal(expected, Match(filter));

    [Theory]
    [InlineData("eventType in (\"user.session.start\", \"user.session.end\")", true)]
    [InlineData("eventType in (\"a\", \"b\")", false)]
    [InlineData("eventType in [\"user.session.start\"]", true)]
    [InlineData("target.id in (\"0oa9\")", true)]
    [InlineData("not (eventType in (\"user.session.start\"))", false)]
    public void In(string filter, bool expected) => Assert.Equal(expected, Match(filter));

    [Fact]
    public void Precedence_NotThenAndThenOr()
    {
        // or binds looser than and: true or (false and false) is true.
        Assert.True(Match("eventType eq \"user.session.start\" or eventType eq \"x\" and actor.id eq \"y\""));
        // parentheses change it: (true or false) and false is false.
        Assert.False(Match("(eventType eq \"user.session.start\" or eventType eq \"x\") and actor.id eq \"y\""));
        // not binds tighter than and: (not false) and true.
        Assert.True(Match("not eventType eq \"x\" and actor.id eq \"00u1\""));
        Assert.False(Match("not (eventType eq \"user.session.start\" and actor.id eq \"00u1\")"));
        Assert.Equal("((a eq \"1\" and b eq \"2\") or not c pr)", OktaFilter.Parse("a eq \"1\" and b eq \"2\" or not c pr")!.ToString());
        Assert.Equal("(a eq \"1\" or (b eq \"2\" and c pr))", OktaFilter.Parse("a eq \"1\" or b eq \"2\" and c pr")!.ToString());
    }

    [Fact]
    public void StringEscapes_AndEmptyFilter()
    {
        Assert.Null(OktaFilter.Parse("   "));
        var node = Assert.IsType<CompareNode>(OktaFilter.Parse("displayMessage eq \"say \\\"hi\\\"\""));
        Assert.Equal("say \"hi\"", node.Value.Text);
    }

    [Theory]
    [InlineData("eventType", 10, "operator")]
    [InlineData("eventType eq", 13, "value")]
    [InlineData("eventType xx \"a\"", 11, "Unknown operator")]
    [InlineData("eventType eq \"a", 14, "not closed")]
    [InlineData("(eventType eq \"a\"", 18, "')'")]
    [InlineData("eventType eq \"a\" and", 21, "attribute")]
    [InlineData("eventType eq \"a\" extra", 18, "'and', 'or'")]
    [InlineData("eventType in (\"a\" \"b\")", 19, "','")]
    [InlineData("eventType eq bogus", 14, "value")]
    [InlineData("eventType sw 5", 11, "string")]
    [InlineData("\"a\" eq eventType", 1, "attribute")]
    public void InvalidFilters_SayWhere(string filter, int position, string fragment)
    {
        var ex = Assert.Throws<OktaFilterException>(() => OktaFilter.Parse(filter));
        Assert.Equal(position, ex.Position);
        Assert.Contains(fragment, ex.Message);
        Assert.Contains($"position {position}", ex.Message);
    }

    // ---- end to end: events delivered through the hook, searched through the API ----

    private static object LogEvent(string uuid, string type, string actor, string outcome, string published, string? ip = "203.0.113.7", string targetId = "00u9") => new
    {
        uuid, published, eventType = type, version = "0", severity = "INFO", displayMessage = "Event " + uuid,
        actor = new { id = "00u-" + actor, type = "User", alternateId = actor + "@acme.com", displayName = actor },
        outcome = new { result = outcome },
        client = ip is null ? null : new { ipAddress = ip },
        target = new[] { new { id = targetId, type = "User" } },
    };

    private static async Task DeliverAsync(TestOrg org, Guid tenantId, string secret, params object[] events)
    {
        var body = JsonSerializer.Serialize(new { eventType = "com.okta.event_hook", eventId = Guid.NewGuid().ToString(), data = new { events } });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/okta/{tenantId}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", secret);
        Assert.Equal(HttpStatusCode.OK, (await org.App.Anonymous().SendAsync(request)).StatusCode);
    }

    /// <summary>Searches from the test events' time on (the emulated org's own events, published now, stay out of the way).</summary>
    private static async Task<JsonElement> SearchAsync(TestOrg org, string? filter, string extra = "")
    {
        if (!extra.Contains("since=")) extra += "&since=2026-11-29T10:00:00Z";
        return await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/events?filter={Uri.EscapeDataString(filter ?? "")}{extra}"));
    }

    private static string[] Uuids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("uuid").GetString()!).ToArray();

    [Fact]
    public async Task HookEvents_AreSearchableWithOktaFilters_PagedAndIsolated()
    {
        await using var org = await TestOrg.StartAsync(new Dictionary<string, string?>
        {
            ["IdentiGuard:Polling:Enabled"] = "false",
            ["IdentiGuard:Polling:BackfillWindow"] = "00:00:00",
        });
        var tenant = await org.ConnectedTenantAsync();
        var tenantId = tenant.GetProperty("id").GetGuid();
        var secret = org.Okta.Hooks.Single().AuthSchemeValue!;

        await DeliverAsync(org, tenantId, secret,
            LogEvent("e1", "user.session.start", "bob", "FAILURE", "2026-11-29T10:00:01Z", targetId: "00u2"),
            LogEvent("e2", "user.session.start", "alice", "SUCCESS", "2026-11-29T10:00:02Z"),
            LogEvent("e3", "user.session.start", "bobby", "FAILURE", "2026-11-29T10:00:03Z", ip: null),
            LogEvent("e4", "user.account.lock", "bob", "FAILURE", "2026-11-29T10:00:04Z"),
            LogEvent("e5", "user.session.start", "carol", "FAILURE", "2026-11-29T10:00:05Z"));

        var failures = await TestOrg.EventuallyAsync(() => SearchAsync(org, "eventType eq \"user.session.start\" and outcome.result eq \"FAILURE\""), p => Uuids(p).Length == 3);
        Assert.Equal(["e5", "e3", "e1"], Uuids(failures)); // newest first
        var first = failures.GetProperty("items")[0];
        Assert.Equal(tenantId, first.GetProperty("tenantId").GetGuid());
        Assert.Equal("carol@acme.com", first.GetProperty("actor").GetString());
        Assert.Equal("Hook", first.GetProperty("source").GetString());
        Assert.Equal("FAILURE", first.GetProperty("outcome").GetString());
        Assert.Equal("Event e5", first.GetProperty("displayMessage").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("tenantName").GetString()));
        Assert.False(failures.GetProperty("scanCapped").GetBoolean());

        Assert.Equal(["e4", "e3", "e1"], Uuids(await SearchAsync(org, "actor.alternateId sw \"bob\"")));
        Assert.Equal(["e1"], Uuids(await SearchAsync(org, "target.id eq \"00u2\"")));
        Assert.Equal(["e5", "e4", "e2", "e1"], Uuids(await SearchAsync(org, "client.ipAddress pr")));
        Assert.Equal(["e4", "e2"], Uuids(await SearchAsync(org, "eventType in (\"user.account.lock\") or actor.alternateId eq \"alice@acme.com\"")));
        Assert.Equal(["e3"], Uuids(await SearchAsync(org, "not client.ipAddress pr")));

        // Time range and tenant.
        Assert.Equal(["e4", "e3", "e2"], Uuids(await SearchAsync(org, null, "&since=2026-11-29T10:00:02Z&until=2026-11-29T10:00:04Z")));
        Assert.Equal(5, Uuids(await SearchAsync(org, null, $"&tenantId={tenantId}")).Length);
        Assert.Empty(Uuids(await SearchAsync(org, null, $"&tenantId={Guid.NewGuid()}")));

        // Paging, with and without a filter.
        var page1 = await SearchAsync(org, "outcome.result eq \"FAILURE\"", "&take=2");
        Assert.Equal(["e5", "e4"], Uuids(page1));
        Assert.True(page1.GetProperty("hasMore").GetBoolean());
        var page2 = await SearchAsync(org, "outcome.result eq \"FAILURE\"", "&take=2&skip=2");
        Assert.Equal(["e3", "e1"], Uuids(page2));
        Assert.False(page2.GetProperty("hasMore").GetBoolean());
        var unfiltered = await SearchAsync(org, null, "&take=3&skip=3");
        Assert.Equal(["e2", "e1"], Uuids(unfiltered));
        Assert.Equal(5, unfiltered.GetProperty("total").GetInt32());

        // An invalid filter: 400 with where it went wrong.
        var bad = await org.App.Api.GetAsync(org.App.WorkspacePath("/events?filter=" + Uri.EscapeDataString("eventType eq")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("position 13", problem.GetProperty("errors").GetProperty("filter")[0].GetString());
        Assert.Equal(13, problem.GetProperty("position").GetInt32());

        // The full JSON of one event.
        var id = failures.GetProperty("items")[2].GetProperty("id").GetInt64();
        var detail = await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/events/{id}"));
        Assert.Equal("e1", detail.GetProperty("summary").GetProperty("uuid").GetString());
        Assert.Equal("00u2", detail.GetProperty("event").GetProperty("target")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await org.App.Api.GetAsync(org.App.WorkspacePath("/events/987654321"))).StatusCode);

        // The pages answer for a member (they render in the interactive circuit, not prerendered).
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(org.App.BaseUrl) })
        {
            await IdentiGuardApp.SignInAsync(browser, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/w/{org.App.WorkspaceId}/events")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/w/{org.App.WorkspaceId}/events/{id}")).StatusCode);
        }

        // A member of another workspace sees none of it: 404 through this workspace and through their own.
        var email = $"stranger-{Guid.NewGuid():N}@example.com";
        var strangerWorkspace = await TestUsers.CreateAsync(org.App, email, "stranger password 123", workspaceName: "Stranger's");
        using var stranger = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(org.App.BaseUrl) };
        await IdentiGuardApp.SignInAsync(stranger, email, "stranger password 123");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(org.App.WorkspacePath($"/events/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(org.App.WorkspacePath("/events"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/workspaces/{strangerWorkspace}/events/{id}")).StatusCode);
        var own = await stranger.GetFromJsonAsync<JsonElement>($"/api/workspaces/{strangerWorkspace}/events");
        Assert.Empty(own.GetProperty("items").EnumerateArray());
    }
}
