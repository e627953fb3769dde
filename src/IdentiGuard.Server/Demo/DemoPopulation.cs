using System.Globalization;

namespace IdentiGuard.Server.Demo;

/// <summary>One employee of the demo org: where they work, their browser and their device (Okta's dtHash).</summary>
public sealed record DemoUser(int Index, string? Key, string Id, string Login, string FirstName, string LastName, string Location, string Browser, string Ip, string DeviceHash)
{
    public string DisplayName => $"{FirstName} {LastName}";
}

/// <summary>
/// The org's users: <c>users.count</c> generated employees (deterministic from the scenario's seed) followed by the named
/// <c>people</c>. The Okta user id comes from the caller, so in demo mode the users exist in the emulated org.
/// </summary>
public sealed class DemoPopulation
{
    private DemoPopulation(IReadOnlyList<DemoUser> users, IReadOnlyDictionary<string, DemoUser> people)
    {
        Users = users;
        People = people;
    }

    public IReadOnlyList<DemoUser> Users { get; }
    public IReadOnlyDictionary<string, DemoUser> People { get; }

    /// <param name="createUser">Creates the user in the Okta org (login, first name, last name) and returns its id.</param>
    public static DemoPopulation Create(DemoScenario scenario, Func<string, string, string, string> createUser)
    {
        var random = new Random(scenario.Seed);
        var users = new List<DemoUser>();
        var logins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var person in scenario.People.Values) logins.Add(person.Login);

        for (var i = 0; i < scenario.Users.Count; i++)
        {
            var first = scenario.Users.FirstNames[random.Next(scenario.Users.FirstNames.Count)];
            var last = scenario.Users.LastNames[random.Next(scenario.Users.LastNames.Count)];
            var login = $"{first}.{last}@{scenario.Domain}".ToLowerInvariant();
            for (var n = 2; !logins.Add(login); n++) login = $"{first}.{last}{n}@{scenario.Domain}".ToLowerInvariant();
            var location = Pick(random, scenario.Locations, l => l.Weight);
            var browser = Pick(random, scenario.Browsers, b => b.Weight);
            users.Add(new DemoUser(i, null, createUser(login, first, last), login, first, last, location, browser,
                AddressIn(scenario.Locations[location], random), DeviceHash(random)));
        }

        var people = new Dictionary<string, DemoUser>();
        foreach (var (key, person) in scenario.People)
        {
            var user = new DemoUser(users.Count, key, createUser(person.Login, person.FirstName, person.LastName), person.Login, person.FirstName, person.LastName,
                person.Location, person.Browser, AddressIn(scenario.Locations[person.Location], random), DeviceHash(random));
            users.Add(user);
            people[key] = user;
        }
        return new DemoPopulation(users, people);
    }

    /// <summary>A person key or <c>users[n]</c>.</summary>
    public DemoUser Find(string reference)
    {
        if (People.TryGetValue(reference, out var person)) return person;
        if (DemoUserRange.TryParse(reference, out var range)) return Users[range.First];
        throw new KeyNotFoundException($"No person or user {reference}.");
    }

    /// <summary>A person key (one user) or <c>users[a..b]</c> (each user of the range, in order).</summary>
    public IReadOnlyList<DemoUser> Expand(string reference)
        => DemoUserRange.TryParse(reference, out var range) ? Users.Skip(range.First).Take(range.Last - range.First + 1).ToList() : [Find(reference)];

    internal static string AddressIn(DemoLocation location, Random random)
        => string.Create(CultureInfo.InvariantCulture, $"{location.IpPrefix}.{random.Next(1, 255)}.{random.Next(1, 255)}");

    internal static string DeviceHash(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static string Pick<T>(Random random, IReadOnlyDictionary<string, T> options, Func<T, int> weight)
    {
        var total = options.Values.Sum(weight);
        var roll = random.Next(total);
        foreach (var (key, value) in options)
        {
            roll -= weight(value);
            if (roll < 0) return key;
        }
        throw new InvalidOperationException("No option has a weight above 0.");
    }
}
