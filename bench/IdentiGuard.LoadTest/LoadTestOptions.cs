using System.Globalization;

namespace IdentiGuard.LoadTest;

/// <summary>Command-line options; see <see cref="Usage"/>.</summary>
internal sealed class LoadTestOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/IdentiGuard.LoadTest -- --url http://127.0.0.1:5080 \
                 --email owner@example.com --password '…' [--rate 200] [--concurrency 16] [--duration 30] \
                 [--events-per-delivery 10] [--warmup 5] [--server-pid PID] \
                 [--tolerate-tenant-setup-error true] [--alert-probes 2] [--floor-database PATH] [--floor-seconds 10]
                 [--urls URL,URL,...] [--load-tenants N] [--infra-pids PID,...] [--summary FILE]

          --rate N                 deliveries per second, open loop (scheduled by time); 0 = closed loop, as fast as
                                   the concurrency allows
          --concurrency N          at most N deliveries in flight (connections to the server)
          --duration S             measured seconds, after the warm-up
          --warmup S               warm-up seconds at the same load, not measured (default 5)
          --events-per-delivery N  LogEvents in each com.okta.event_hook envelope
          --server-pid PID[,PID…]  also report the CPU time share of that process (several: each and their sum,
                                   e.g. every host of a cluster) during the measured window
          --alert-probes N         per second during the measured window, a delivery that raises a new alert, timed
                                   until the alert is visible through the API (delivery-to-alert latency); 0 = none
          --floor-database PATH    the server's SQLite database: after the run, measure the floor (the same events
                                   parsed and inserted into a copy of its Events schema with the same durability,
                                   one transaction per batch), before and after the run, and print app/floor
          --floor-seconds S        how long the floor runs, before and again after the load (default 10)
          --floor-batch-events N   events per floor transaction (default 200)
          --tenants N              memory mode: add N tenants (against emulated orgs), read the server's memory
                                   when they are idle, then drive --busy of them with deliveries at --rate for
                                   --duration and read it again; prints memory per idle and per busy tenant
          --busy N                 tenants made busy in memory mode (default 100)
          --urls URL,URL,…         several IdentiGuard hosts of one cluster: deliveries and alert probes go to them
                                   round-robin (what a load balancer does); the API and setup use --url (default:
                                   the first of these); /metrics figures are summed over all of them
          --load-tenants N         add N tenants, each against its own emulated Okta org, and spread the deliveries
                                   round-robin over their hooks (default 1), so tenant grains can spread over hosts
          --infra-pids PID,…       also report the CPU of these processes and their children (PostgreSQL's
                                   postmaster, Redis) and the whole machine's busy share (/proc/stat)
          --summary FILE           append one tab-separated line of the main figures (for scripts/cluster-load.sh)
          --tolerate-tenant-setup-error true
                                   when adding the tenant fails or does not end Connected but the emulator holds a
                                   VERIFIED hook pointing at --url, warn and measure anyway (the hook endpoint does
                                   not look at the tenant's status); otherwise such a failure ends the run
        """;

    public required Uri Url { get; init; }
    public required string Email { get; init; }
    public required string Password { get; init; }
    public double Rate { get; init; } = 200;
    public int Concurrency { get; init; } = 16;
    public double DurationSeconds { get; init; } = 30;
    public double WarmupSeconds { get; init; } = 5;
    public int EventsPerDelivery { get; init; } = 10;
    public IReadOnlyList<int> ServerPids { get; init; } = [];
    public IReadOnlyList<Uri> Urls { get; init; } = [];
    public int LoadTenants { get; init; } = 1;
    public IReadOnlyList<int> InfraPids { get; init; } = [];
    public string? SummaryFile { get; init; }
    public bool TolerateTenantSetupError { get; init; }
    public double AlertProbesPerSecond { get; init; } = 2;
    public string? FloorDatabase { get; init; }
    public double FloorSeconds { get; init; } = 10;
    public int FloorBatchEvents { get; init; } = 200;
    public int Tenants { get; init; }
    public int Busy { get; init; } = 100;

    /// <summary>Parses the arguments; null (after printing why) when they are invalid or help was asked for.</summary>
    public static LoadTestOptions? Parse(string[] args, TextWriter error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return Fail(error, null);
            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) return Fail(error, $"Unexpected argument '{name}'.");
            values[name[2..]] = args[++i];
        }

        string? Get(string key) => values.Remove(key, out var v) ? v : null;
        try
        {
            var urls = List(Get("urls")).Select(u => new Uri(u.TrimEnd('/') + "/", UriKind.Absolute)).ToList();
            var url = Get("url") ?? urls.FirstOrDefault()?.ToString();
            var email = Get("email");
            var password = Get("password");
            if (url is null || email is null || password is null) return Fail(error, "--url, --email and --password are required.");
            var options = new LoadTestOptions
            {
                Url = new Uri(url.TrimEnd('/') + "/", UriKind.Absolute),
                Email = email,
                Password = password,
                Rate = Number(Get("rate"), 200),
                Concurrency = (int)Number(Get("concurrency"), 16),
                DurationSeconds = Number(Get("duration"), 30),
                WarmupSeconds = Number(Get("warmup"), 5),
                EventsPerDelivery = (int)Number(Get("events-per-delivery"), 10),
                ServerPids = Pids(Get("server-pid")),
                Urls = urls,
                LoadTenants = (int)Number(Get("load-tenants"), 1),
                InfraPids = Pids(Get("infra-pids")),
                SummaryFile = Get("summary"),
                TolerateTenantSetupError = Get("tolerate-tenant-setup-error") is { } tolerate && bool.Parse(tolerate),
                AlertProbesPerSecond = Number(Get("alert-probes"), 2),
                FloorDatabase = Get("floor-database"),
                FloorSeconds = Number(Get("floor-seconds"), 10),
                FloorBatchEvents = (int)Number(Get("floor-batch-events"), 200),
                Tenants = (int)Number(Get("tenants"), 0),
                Busy = (int)Number(Get("busy"), 100),
            };
            if (values.Count > 0) return Fail(error, $"Unknown option(s): {string.Join(", ", values.Keys.Select(k => "--" + k))}.");
            if (options.Rate < 0 || options.Concurrency < 1 || options.DurationSeconds <= 0 || options.WarmupSeconds < 0 || options.EventsPerDelivery < 1
                || options.AlertProbesPerSecond < 0 || options.FloorSeconds <= 0 || options.FloorBatchEvents < 1 || options.LoadTenants < 1)
                return Fail(error, "--rate must be >= 0, --concurrency, --events-per-delivery and --load-tenants >= 1, --duration > 0, --warmup >= 0.");
            return options;
        }
        catch (FormatException ex)
        {
            return Fail(error, ex.Message);
        }
    }

    private static List<string> List(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static List<int> Pids(string? value) => List(value).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();

    private static double Number(string? value, double fallback) =>
        value is null ? fallback : double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static LoadTestOptions? Fail(TextWriter error, string? message)
    {
        if (message is not null) error.WriteLine(message);
        error.WriteLine(Usage);
        return null;
    }
}
