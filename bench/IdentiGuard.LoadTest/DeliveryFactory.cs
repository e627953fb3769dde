using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator;

namespace IdentiGuard.LoadTest;

/// <summary>
/// Builds <c>com.okta.event_hook</c> delivery bodies (the CloudEvents 0.1 envelope Okta sends) holding realistic
/// LogEvents. A pool of events is built once with the emulator's <see cref="LogEventFactory"/> (a weighted mix of
/// sign-in, MFA, SSO, account and privilege events by a set of users from a set of places); each delivered event is a
/// pool entry with a fresh <c>uuid</c> and <c>published</c> time, so every event is new to IdentiGuard while the
/// generator spends little CPU per event.
/// </summary>
internal sealed class DeliveryFactory
{
    private const string UuidMark = "@@uuid@@";
    private const string PublishedMark = "@@published@@";

    /// <summary>Event types and weights: mostly sign-ins and MFA, some account changes, a few privileged actions.</summary>
    private static readonly (string Type, int Weight)[] Mix =
    [
        ("user.session.start", 30),
        ("user.authentication.auth_via_mfa", 20),
        ("user.authentication.sso", 15),
        ("user.session.end", 10),
        ("user.account.update_password", 4),
        ("user.mfa.factor.activate", 4),
        ("application.user_membership.add", 4),
        ("group.user_membership.add", 4),
        ("user.account.lock", 3),
        ("user.account.reset_password", 2),
        ("user.mfa.factor.deactivate", 2),
        ("user.account.privilege.grant", 2),
    ];

    private static readonly (string City, string State, string Country, string Postal, double Lat, double Lon, string Ip)[] Places =
    [
        ("Toronto", "Ontario", "Canada", "M4M", 43.6567, -79.34, "142.126.158.61"),
        ("San Francisco", "California", "United States", "94107", 37.7697, -122.3933, "104.28.17.9"),
        ("London", "England", "United Kingdom", "EC1A", 51.5164, -0.093, "81.2.69.142"),
        ("Berlin", "Land Berlin", "Germany", "10115", 52.5323, 13.3846, "85.214.132.117"),
        ("Sydney", "New South Wales", "Australia", "2000", -33.8688, 151.2093, "1.128.0.4"),
        ("Sao Paulo", "Sao Paulo", "Brazil", "01000", -23.5475, -46.6361, "177.54.144.3"),
    ];

    private static readonly string[] FirstNames = ["Ada", "Grace", "Alan", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "Edsger"];
    private static readonly string[] LastNames = ["Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie", "Allen", "Dijkstra"];

    private readonly (string BeforeUuid, string BeforePublished, string AfterPublished)[] pool;
    private readonly string envelopeHead;
    private long next;

    public DeliveryFactory(string oktaBaseUrl, string hookId, int poolSize = 1024, int seed = 20261129)
    {
        var random = new Random(seed);
        var totalWeight = Mix.Sum(m => m.Weight);
        pool = new (string, string, string)[poolSize];
        for (var i = 0; i < poolSize; i++)
        {
            var pick = random.Next(totalWeight);
            var type = Mix.First(m => (pick -= m.Weight) < 0).Type;
            pool[i] = Split(Build(type, random));
        }
        envelopeHead = "{\"eventType\":\"com.okta.event_hook\",\"eventTypeVersion\":\"1.0\",\"cloudEventsVersion\":\"0.1\",\"source\":"
            + JsonValue.Create($"{oktaBaseUrl}/api/v1/eventHooks/{hookId}").ToJsonString() + ",\"eventId\":\"";
    }

    /// <summary>Distinct event types in the pool, with their counts (for the report).</summary>
    public static IEnumerable<string> EventTypes => Mix.Select(m => m.Type);

    /// <summary>One delivery body with <paramref name="events"/> new events (fresh uuids, published now).</summary>
    public byte[] Create(int events)
    {
        var now = DateTime.UtcNow;
        var published = now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var builder = new StringBuilder(events * 2600 + 400);
        builder.Append(envelopeHead).Append(Guid.NewGuid().ToString()).Append("\",\"data\":{\"events\":[");
        for (var i = 0; i < events; i++)
        {
            var (beforeUuid, beforePublished, rest) = pool[(int)((ulong)Interlocked.Increment(ref next) % (ulong)pool.Length)];
            if (i > 0) builder.Append(',');
            builder.Append(beforeUuid).Append(Guid.NewGuid().ToString()).Append(beforePublished).Append(published).Append(rest);
        }
        builder.Append("]},\"eventTime\":\"").Append(published).Append("\",\"contentType\":\"application/json\"}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>
    /// A delivery of one <c>user.account.privilege.grant</c> by <paramref name="actorLogin"/>: monitored-event alerts
    /// group by type and actor, so an actor no other event has raises a new alert, which can then be looked for.
    /// </summary>
    public byte[] CreateProbe(string actorLogin)
    {
        var now = DateTime.UtcNow;
        var e = LogEventFactory.Create(new LogEventSpec
        {
            EventType = "user.account.privilege.grant",
            Uuid = Guid.NewGuid().ToString(),
            Actor = LogEventFactory.UserActor("00uprobe" + Guid.NewGuid().ToString("N")[..12], actorLogin, "Alert Probe"),
            Targets = new JsonArray(LogEventFactory.Target("00u1probetarget00001", "User", "target@example.com", "Probe Target")),
            OutcomeResult = "SUCCESS",
            Severity = "INFO",
            ClientIp = Places[0].Ip,
            Geo = LogEventFactory.Geo(Places[0].City, Places[0].State, Places[0].Country, Places[0].Postal, Places[0].Lat, Places[0].Lon),
            RequestUri = "/api/v1/users",
            Published = new DateTimeOffset(now),
        });
        var body = envelopeHead + Guid.NewGuid() + "\",\"data\":{\"events\":[" + e.ToJsonString() + "]},\"eventTime\":\""
            + now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "\",\"contentType\":\"application/json\"}";
        return Encoding.UTF8.GetBytes(body);
    }

    private static JsonObject Build(string eventType, Random random)
    {
        var place = Places[random.Next(Places.Length)];
        var actor = Person(random);
        var target = Person(random);
        var failed = eventType is "user.session.start" or "user.authentication.auth_via_mfa" && random.Next(10) == 0;
        JsonArray? targets = eventType switch
        {
            "user.session.start" or "user.session.end" or "user.authentication.auth_via_mfa" => null,
            "user.authentication.sso" or "application.user_membership.add" => new JsonArray(
                LogEventFactory.Target("0oa" + Id(random, 17), "AppInstance", "Salesforce.com", "Salesforce.com"),
                LogEventFactory.Target(actor.Id, "User", actor.Login, actor.Name)),
            "group.user_membership.add" => new JsonArray(
                LogEventFactory.Target(target.Id, "User", target.Login, target.Name),
                LogEventFactory.Target("00g" + Id(random, 17), "UserGroup", "Engineering", "Engineering")),
            "user.account.privilege.grant" => new JsonArray(
                LogEventFactory.Target(target.Id, "User", target.Login, target.Name)),
            _ => new JsonArray(LogEventFactory.Target(target.Id, "User", target.Login, target.Name)),
        };
        var spec = new LogEventSpec
        {
            EventType = eventType,
            Uuid = UuidMark,
            Actor = eventType == "user.account.lock" ? LogEventFactory.SystemActor() : LogEventFactory.UserActor(actor.Id, actor.Login, actor.Name),
            Targets = targets,
            OutcomeResult = failed ? "FAILURE" : "SUCCESS",
            OutcomeReason = failed ? (eventType == "user.session.start" ? "INVALID_CREDENTIALS" : "INVALID_CODE") : null,
            Severity = failed || eventType == "user.account.lock" ? "WARN" : "INFO",
            ClientIp = place.Ip,
            Geo = LogEventFactory.Geo(place.City, place.State, place.Country, place.Postal, place.Lat, place.Lon),
            RequestUri = eventType.StartsWith("user.session", StringComparison.Ordinal) ? "/idp/idx/identify" : "/api/v1/users",
            CredentialType = eventType == "user.authentication.auth_via_mfa" ? "OTP" : null,
            AuthenticationProvider = eventType.StartsWith("user.authentication", StringComparison.Ordinal) ? "OKTA_AUTHENTICATION_PROVIDER" : null,
            RootSessionId = "102" + Id(random, 22),
            Published = DateTimeOffset.UnixEpoch,
        };
        var e = LogEventFactory.Create(spec);
        e["published"] = PublishedMark;
        return e;
    }

    private static (string BeforeUuid, string BeforePublished, string AfterPublished) Split(JsonObject e)
    {
        var json = e.ToJsonString();
        var uuid = json.IndexOf(UuidMark, StringComparison.Ordinal);
        var published = json.IndexOf(PublishedMark, StringComparison.Ordinal);
        if (uuid < 0 || published < uuid) throw new InvalidOperationException("Unexpected LogEvent layout: uuid must precede published.");
        return (json[..uuid], json[(uuid + UuidMark.Length)..published], json[(published + PublishedMark.Length)..]);
    }

    private static (string Id, string Login, string Name) Person(Random random)
    {
        var i = random.Next(FirstNames.Length);
        var j = random.Next(LastNames.Length);
        return ($"00u{i}{j}aB3dE5fG7hJ9kL1", $"{FirstNames[i].ToLowerInvariant()}.{LastNames[j].ToLowerInvariant()}@example.com", $"{FirstNames[i]} {LastNames[j]}");
    }

    private static string Id(Random random, int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return string.Create(length, random, (span, r) =>
        {
            for (var k = 0; k < span.Length; k++) span[k] = alphabet[r.Next(alphabet.Length)];
        });
    }
}
