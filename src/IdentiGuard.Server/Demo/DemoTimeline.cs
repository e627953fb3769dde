using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator;

namespace IdentiGuard.Server.Demo;

/// <summary>One Okta LogEvent due <see cref="At"/> after the run starts; <see cref="Phase"/> is "workday" or the attack id.</summary>
public sealed record DemoEvent(TimeSpan At, string Phase, JsonObject Event);

/// <summary>
/// Turns a scenario into the ordered list of System Log events it produces, shaped like Okta's (the emulator's
/// <see cref="LogEventFactory"/>). The working day is deterministic from the seed; session ids are new on every build, so
/// a replay is a new set of sessions telling the same story.
/// </summary>
public sealed class DemoTimeline
{
    public const string WorkdayPhase = "workday";

    private readonly DemoScenario scenario;
    private readonly DemoPopulation population;
    private readonly Dictionary<string, (string ExternalSessionId, string DeviceHash)> sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> outsiderDevices = new(StringComparer.Ordinal);
    private readonly List<DemoEvent> events = [];

    private DemoTimeline(DemoScenario scenario, DemoPopulation population)
    {
        this.scenario = scenario;
        this.population = population;
    }

    public static IReadOnlyList<DemoEvent> Build(DemoScenario scenario, DemoPopulation population)
    {
        var timeline = new DemoTimeline(scenario, population);
        if (scenario.Workday is { } workday) timeline.AddWorkday(workday, new Random(scenario.Seed));
        foreach (var attack in scenario.Attacks) timeline.AddAttack(attack);
        return timeline.events.OrderBy(e => e.At).ToList();
    }

    /// <summary>
    /// Every employee signs in (once, or twice when there are more sign-ins than staff) (Okta Verify push, session start, a few apps), spread over the day; a small
    /// share mistype their password first. Each user always comes from their own address and browser, as at work.
    /// </summary>
    private void AddWorkday(DemoWorkday workday, Random random)
    {
        var order = population.Users.OrderBy(_ => random.Next()).ToList();
        for (var i = 0; i < workday.SignIns; i++)
        {
            // Going round the staff again rather than picking at random: three sessions in half an hour would be suspicious.
            var user = order[i % order.Count];
            var at = workday.At + workday.Duration * ((i + random.NextDouble()) / workday.SignIns);
            var session = NewSessionId();
            var network = Network.Of(user, scenario);
            if (random.NextDouble() < workday.FailedPasswordRate)
            {
                Add(at, WorkdayPhase, new() { Event = "user.session.start", Actor = user.Login, Outcome = "FAILURE", Reason = "INVALID_CREDENTIALS", DisplayMessage = "User login to Okta" },
                    user, network, session, user.DeviceHash, target: null, app: null);
                at += TimeSpan.FromSeconds(4);
            }
            Add(at, WorkdayPhase, new()
            {
                Event = "user.authentication.auth_via_mfa", Actor = user.Login, DisplayMessage = "Authentication of user via MFA",
                DebugData = new JsonObject { ["factor"] = "OKTA_VERIFY_PUSH" },
            }, user, network, session, user.DeviceHash, target: OktaVerifyTarget(user), app: null);
            Add(at + TimeSpan.FromSeconds(1), WorkdayPhase, new() { Event = "user.session.start", Actor = user.Login, DisplayMessage = "User login to Okta" },
                user, network, session, user.DeviceHash, target: null, app: null);
            var appAt = at + TimeSpan.FromSeconds(2);
            foreach (var app in scenario.Apps.OrderBy(_ => random.Next()).Take(workday.SsoPerSignIn))
            {
                Add(appAt, WorkdayPhase, new() { Event = "user.authentication.sso", Actor = user.Login, DisplayMessage = "User single sign on to app" },
                    user, network, session, user.DeviceHash, target: null, app: app);
                appAt += TimeSpan.FromSeconds(1 + random.Next(5));
            }
        }
    }

    private void AddAttack(DemoAttack attack)
    {
        foreach (var step in attack.Steps)
        {
            var at = attack.At + step.After;
            foreach (var actor in population.Expand(step.Actor))
            {
                for (var i = 0; i < step.Repeat; i++)
                {
                    var network = step.From is { } from
                        ? scenario.Outsiders.TryGetValue(from, out var outsider) ? Network.Of(outsider, scenario) : Network.Of(population.Find(from), scenario)
                        : Network.Of(actor, scenario);
                    var device = step.From is { } f && scenario.Outsiders.ContainsKey(f) ? OutsiderDevice(f) : actor.DeviceHash;
                    // A session key keeps its id and device token: that is what a stolen session cookie carries.
                    var (sessionId, deviceHash) = step.Session is { } key
                        ? sessions.TryGetValue(key, out var known) ? known : sessions[key] = (NewSessionId(), device)
                        : (NewSessionId(), device);
                    var target = step.Target is { } t ? UserTarget(population.Find(t)) : null;
                    var app = step.App is { } name ? scenario.Apps.First(a => a.Name == name) : null;
                    Add(at, attack.Id, step, actor, network, sessionId, deviceHash, target, app);
                    at += step.Every;
                }
            }
        }
    }

    private void Add(TimeSpan at, string phase, DemoStep step, DemoUser actor, Network network, string sessionId, string deviceHash, JsonObject? target, DemoApp? app)
    {
        var debugData = new JsonObject { ["dtHash"] = deviceHash };
        foreach (var (k, v) in step.DebugData ?? []) debugData[k] = v?.DeepClone();

        JsonArray? targets = step.Targets?.DeepClone().AsArray();
        if (target is not null) (targets ??= []).Add(target);
        if (app is not null)
        {
            (targets ??= []).Add(LogEventFactory.Target(app.Id, "AppInstance", app.Name, app.Name));
            debugData["requestUri"] = $"/app/{app.Name.ToLowerInvariant().Replace(' ', '_')}/{app.Id}/sso/saml";
        }

        var e = LogEventFactory.Create(new LogEventSpec
        {
            EventType = step.Event,
            DisplayMessage = step.DisplayMessage,
            Severity = step.Severity,
            Actor = LogEventFactory.UserActor(actor.Id, actor.Login, actor.DisplayName),
            Targets = targets,
            OutcomeResult = step.Outcome,
            OutcomeReason = step.Reason,
            ClientIp = network.Ip,
            UserAgent = network.Browser.UserAgent,
            UserAgentOs = network.Browser.Os,
            UserAgentBrowser = network.Browser.Browser,
            ClientDevice = network.Browser.Device,
            Geo = LogEventFactory.Geo(network.Location.City, network.Location.State, network.Location.Country, network.Location.PostalCode, network.Location.Lat, network.Location.Lon),
            SecurityContext = LogEventFactory.SecurityContext(network.Location.AsNumber, network.Location.AsOrg, network.Location.Isp, network.Location.Domain, network.Location.IsProxy),
            TransactionType = step.TransactionType,
            DebugData = debugData,
            ExternalSessionId = sessionId,
        });
        events.Add(new DemoEvent(at, phase, e));
    }

    private string OutsiderDevice(string key)
        => outsiderDevices.TryGetValue(key, out var hash) ? hash : outsiderDevices[key] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string NewSessionId() => "idx" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 22);

    private static JsonObject UserTarget(DemoUser user) => LogEventFactory.Target(user.Id, "User", user.Login, user.DisplayName);

    private static JsonObject OktaVerifyTarget(DemoUser user)
        => LogEventFactory.Target("pfd" + user.Id[3..], "AuthenticatorEnrollment", "unknown", "Okta Verify");

    /// <summary>Where an event comes from: address, place and browser.</summary>
    private sealed record Network(string Ip, DemoLocation Location, DemoBrowser Browser)
    {
        public static Network Of(DemoUser user, DemoScenario scenario) => new(user.Ip, scenario.Locations[user.Location], scenario.Browsers[user.Browser]);

        public static Network Of(DemoOutsider outsider, DemoScenario scenario) => new(outsider.Ip, scenario.Locations[outsider.Location], scenario.Browsers[outsider.Browser]);
    }
}
