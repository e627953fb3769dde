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

          --rate N                 deliveries per second, open loop (scheduled by time); 0 = closed loop, as fast as
                                   the concurrency allows
          --concurrency N          at most N deliveries in flight (connections to the server)
          --duration S             measured seconds, after the warm-up
          --warmup S               warm-up seconds at the same load, not measured (default 5)
          --events-per-delivery N  LogEvents in each com.okta.event_hook envelope
          --server-pid PID         also report that process's CPU time share during the measured window
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
    public int? ServerPid { get; init; }
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
            var url = Get("url");
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
                ServerPid = Get("server-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
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
                || options.AlertProbesPerSecond < 0 || options.FloorSeconds <= 0 || options.FloorBatchEvents < 1)
                return Fail(error, "--rate must be >= 0, --concurrency and --events-per-delivery >= 1, --duration > 0, --warmup >= 0.");
            return options;
        }
        catch (FormatException ex)
        {
            return Fail(error, ex.Message);
        }
    }

    private static double Number(string? value, double fallback) =>
        value is null ? fallback : double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static LoadTestOptions? Fail(TextWriter error, string? message)
    {
        if (message is not null) error.WriteLine(message);
        error.WriteLine(Usage);
        return null;
    }
}
