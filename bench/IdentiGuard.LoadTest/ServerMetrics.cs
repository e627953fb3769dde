using System.Globalization;

namespace IdentiGuard.LoadTest;

/// <summary>A scrape of the server's Prometheus endpoint (<c>/metrics</c>): sums of the series of one metric name.</summary>
internal sealed class ServerMetrics
{
    private readonly Dictionary<string, double> sums;
    private readonly List<(string Name, string Labels, double Value)> series;

    private ServerMetrics(Dictionary<string, double> sums, List<(string, string, double)> series)
    {
        this.sums = sums;
        this.series = series;
    }

    /// <summary>Null when the endpoint is not there (disabled, or the server does not serve it to this address).</summary>
    public static async Task<ServerMetrics?> ScrapeAsync(HttpClient http, Uri baseUrl, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(baseUrl, "metrics"), ct);
        if (!response.IsSuccessStatusCode) return null;
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var series = new List<(string, string, double)>();
        foreach (var line in (await response.Content.ReadAsStringAsync(ct)).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var nameEnd = line.IndexOfAny(['{', ' ']);
            var valueStart = line.IndexOf(' ', line.IndexOf('}') + 1);
            if (nameEnd <= 0 || valueStart < 0) continue;
            var value = line[(valueStart + 1)..].Split(' ')[0];
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) continue;
            var name = line[..nameEnd];
            sums[name] = sums.GetValueOrDefault(name) + number;
            series.Add((name, line[nameEnd..valueStart], number));
        }
        return new ServerMetrics(sums, series);
    }

    /// <summary>
    /// Each host's scrape and their sum (counters and histogram sums of a cluster add up; so do memory gauges, read as
    /// the cluster's total); null when any host's endpoint is not there.
    /// </summary>
    public static async Task<(ServerMetrics Total, IReadOnlyList<ServerMetrics> PerHost)?> ScrapeAllAsync(HttpClient http, IReadOnlyList<Uri> hosts, CancellationToken ct)
    {
        var perHost = new List<ServerMetrics>();
        foreach (var host in hosts)
        {
            if (await ScrapeAsync(http, host, ct) is not { } metrics) return null;
            perHost.Add(metrics);
        }
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in perHost.SelectMany(m => m.sums)) sums[name] = sums.GetValueOrDefault(name) + value;
        return (new ServerMetrics(sums, perHost.SelectMany(m => m.series).ToList()), perHost);
    }

    public double this[string name] => sums.GetValueOrDefault(name);

    /// <summary>Sum of the series of <paramref name="name"/> whose labels contain <c>="value"</c>.</summary>
    public double Sum(string name, string labelValue) =>
        series.Where(s => s.Name == name && s.Labels.Contains($"=\"{labelValue}\"", StringComparison.Ordinal)).Sum(s => s.Value);

    /// <summary>Mean of a histogram between two scrapes (sum delta / count delta).</summary>
    public static double? Mean(ServerMetrics before, ServerMetrics after, string histogram)
    {
        var count = after[histogram + "_count"] - before[histogram + "_count"];
        return count > 0 ? (after[histogram + "_sum"] - before[histogram + "_sum"]) / count : null;
    }
}
