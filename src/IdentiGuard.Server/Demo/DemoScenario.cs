using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IdentiGuard.Server.Demo;

/// <summary>
/// A demo scenario as written in <c>Demo/Scenarios/*.json</c>: who works where, a working day of normal traffic, and the
/// attacks played on top of it. Times are offsets from the start of the run (<c>"15s"</c>, <c>"2m"</c>, <c>"1m30s"</c>).
/// </summary>
public sealed record DemoScenario
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public string Description { get; init; } = "";
    /// <summary>Seeds the population and the working day, so a replay tells the same story (ids and sessions are new).</summary>
    public int Seed { get; init; }
    public required string Domain { get; init; }
    public required DemoUsers Users { get; init; }
    public required IReadOnlyDictionary<string, DemoLocation> Locations { get; init; }
    public required IReadOnlyDictionary<string, DemoBrowser> Browsers { get; init; }
    public required IReadOnlyList<DemoApp> Apps { get; init; }
    /// <summary>Named employees the attacks refer to (they also take part in the working day).</summary>
    public IReadOnlyDictionary<string, DemoPerson> People { get; init; } = new Dictionary<string, DemoPerson>();
    /// <summary>Attacker machines: where an actor's events come "from" when it is not their own device.</summary>
    public IReadOnlyDictionary<string, DemoOutsider> Outsiders { get; init; } = new Dictionary<string, DemoOutsider>();
    public DemoWorkday? Workday { get; init; }
    public IReadOnlyList<DemoAttack> Attacks { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new DurationConverter() },
    };

    /// <summary>Reads and checks a scenario file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid scenario (the message says where).</exception>
    public static DemoScenario Load(string path)
    {
        DemoScenario? scenario;
        try
        {
            using var stream = File.OpenRead(path);
            scenario = JsonSerializer.Deserialize<DemoScenario>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        if (scenario is null) throw new InvalidDataException($"{path}: empty scenario.");
        var problems = scenario.Validate();
        if (problems.Count > 0) throw new InvalidDataException($"{path}: {string.Join(" ", problems)}");
        return scenario;
    }

    /// <summary>Built-in scenarios ship next to the app in <c>Demo/Scenarios</c>; a name without a path picks one of them.</summary>
    public static string Resolve(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        var builtIn = Path.Combine(BuiltInDirectory, nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? nameOrPath : nameOrPath + ".json");
        if (File.Exists(builtIn)) return builtIn;
        throw new FileNotFoundException($"No scenario file {nameOrPath} (built-in scenarios: {string.Join(", ", BuiltInNames())}).");
    }

    public static string BuiltInDirectory => Path.Combine(AppContext.BaseDirectory, "Demo", "Scenarios");

    public static IEnumerable<string> BuiltInNames() => Directory.Exists(BuiltInDirectory)
        ? Directory.EnumerateFiles(BuiltInDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order()
        : [];

    private List<string> Validate()
    {
        var problems = new List<string>();
        if (Users.Count < 1 || Users.FirstNames.Count == 0 || Users.LastNames.Count == 0) problems.Add("users needs a count and first and last names.");
        if (!Locations.Values.Any(l => l.Weight > 0)) problems.Add("At least one location needs a weight above 0 (where employees work).");
        if (!Browsers.Values.Any(b => b.Weight > 0)) problems.Add("At least one browser needs a weight above 0.");
        if (Apps.Count == 0) problems.Add("apps needs at least one application.");
        foreach (var (key, person) in People)
        {
            if (!Locations.ContainsKey(person.Location)) problems.Add($"people.{key}.location: no location {person.Location}.");
            if (!Browsers.ContainsKey(person.Browser)) problems.Add($"people.{key}.browser: no browser {person.Browser}.");
        }
        foreach (var (key, outsider) in Outsiders)
        {
            if (!Locations.ContainsKey(outsider.Location)) problems.Add($"outsiders.{key}.location: no location {outsider.Location}.");
            if (!Browsers.ContainsKey(outsider.Browser)) problems.Add($"outsiders.{key}.browser: no browser {outsider.Browser}.");
        }
        foreach (var attack in Attacks)
        {
            if (attack.Steps.Count == 0) problems.Add($"attack {attack.Id}: no steps.");
            foreach (var (step, i) in attack.Steps.Select((s, i) => (s, i)))
            {
                var where = $"attack {attack.Id} step {i + 1}:";
                if (!IsActor(step.Actor)) problems.Add($"{where} actor {step.Actor} is neither a person nor users[a..b] (0 ≤ a ≤ b < {Users.Count + People.Count}).");
                if (step.From is { } from && !Outsiders.ContainsKey(from) && !People.ContainsKey(from)) problems.Add($"{where} from {from} is neither an outsider nor a person.");
                if (step.Target is { } target && !IsActor(target)) problems.Add($"{where} target {target} is neither a person nor users[n].");
                if (step.App is { } app && Apps.All(a => a.Name != app)) problems.Add($"{where} no app {app}.");
                if (step.Repeat < 1) problems.Add($"{where} repeat must be at least 1.");
            }
        }
        return problems;
    }

    private bool IsActor(string reference)
        => People.ContainsKey(reference) || (DemoUserRange.TryParse(reference, out var range) && range.Last < Users.Count + People.Count);

    /// <summary>Reads <c>"90s"</c>, <c>"2m"</c>, <c>"1m30s"</c>, <c>"500ms"</c> or a <c>TimeSpan</c> (<c>"00:01:30"</c>).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && text.Contains(':')) return span;
        var match = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$");
        if (!match.Success || text.Trim().Length == 0) throw new FormatException($"Not a duration: \"{text}\" (write 15s, 2m, 1m30s, 500ms or 00:01:30).");
        double Part(int group) => match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        return TimeSpan.FromHours(Part(1)) + TimeSpan.FromMinutes(Part(2)) + TimeSpan.FromSeconds(Part(3)) + TimeSpan.FromMilliseconds(Part(4));
    }

    private sealed class DurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            try
            {
                return ParseDuration(reader.GetString() ?? "");
            }
            catch (FormatException e)
            {
                throw new JsonException(e.Message, e);
            }
        }

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToString("c", CultureInfo.InvariantCulture));
    }
}

public sealed record DemoUsers(int Count, IReadOnlyList<string> FirstNames, IReadOnlyList<string> LastNames);

/// <summary>A city with the network its people sign in from (<c>ipPrefix</c> = first two octets). Weight 0: nobody works there.</summary>
public sealed record DemoLocation(
    string City, string State, string Country, string? PostalCode, double Lat, double Lon, string IpPrefix,
    int AsNumber, string AsOrg, string Isp, string Domain, bool IsProxy = false, int Weight = 0);

public sealed record DemoBrowser(string UserAgent, string Os, string Browser, string Device = "Computer", int Weight = 0);

public sealed record DemoApp(string Id, string Name);

public sealed record DemoPerson(string Login, string FirstName, string LastName, string Location, string Browser, string? Title = null);

public sealed record DemoOutsider(string Location, string Ip, string Browser, string? Title = null);

/// <summary>Normal traffic: <see cref="SignIns"/> sign-ins spread over <see cref="Duration"/>, each with MFA and app launches.</summary>
public sealed record DemoWorkday(TimeSpan At, TimeSpan Duration, int SignIns, int SsoPerSignIn = 2, double FailedPasswordRate = 0);

public sealed record DemoAttack
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public string Description { get; init; } = "";
    public TimeSpan At { get; init; }
    /// <summary>Built-in detection rules this attack must trigger (checked by the tests).</summary>
    public IReadOnlyList<string> Expect { get; init; } = [];
    public required IReadOnlyList<DemoStep> Steps { get; init; }
}

/// <summary>One event template, emitted <see cref="Repeat"/> times (or once per user of a <c>users[a..b]</c> actor).</summary>
public sealed record DemoStep
{
    /// <summary>Offset from the attack's start.</summary>
    public TimeSpan After { get; init; }
    public required string Event { get; init; }
    /// <summary>A person key, or <c>users[a..b]</c> for one event per user in that range.</summary>
    public required string Actor { get; init; }
    /// <summary>Outsider or person whose network and browser the event comes from; the actor's own when absent.</summary>
    public string? From { get; init; }
    /// <summary>Events with the same session key share externalSessionId and device token (dtHash) within a run.</summary>
    public string? Session { get; init; }
    /// <summary>A user target: a person key or <c>users[n]</c>.</summary>
    public string? Target { get; init; }
    /// <summary>An app target by name (from <c>apps</c>).</summary>
    public string? App { get; init; }
    /// <summary>Literal target array (policies, tokens...), used as is.</summary>
    public JsonArray? Targets { get; init; }
    public string Outcome { get; init; } = "SUCCESS";
    public string? Reason { get; init; }
    public string? DisplayMessage { get; init; }
    public string Severity { get; init; } = "INFO";
    public string TransactionType { get; init; } = "WEB";
    public JsonObject? DebugData { get; init; }
    public int Repeat { get; init; } = 1;
    public TimeSpan Every { get; init; }
}

/// <summary><c>users[a..b]</c> or <c>users[n]</c>: indexes into the generated population (people come after the generated users).</summary>
public readonly record struct DemoUserRange(int First, int Last)
{
    public static bool TryParse(string text, out DemoUserRange range)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^users\[(\d+)(?:\.\.(\d+))?\]$");
        range = default;
        if (!match.Success) return false;
        var first = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var last = match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : first;
        if (last < first) return false;
        range = new DemoUserRange(first, last);
        return true;
    }
}
