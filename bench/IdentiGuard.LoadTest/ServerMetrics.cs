using System.Globalization;

namespace IdentiGuard.LoadTest;

/// <summary>A scrape of the server's Prometheus endpoint (<c>/metrics</c>): sums of the series of one metric name.</summary>
internal sealed class ServerMetrics
{
    private readonly Dictionary<string, double> sums;

    private ServerMetrics(Dictionary<string, double> sums) => this.sums = sums;

    /// <summary>Null when the endpoint is not there (disabled, or the server does not serve it to this address).</summary>
    public static async Task<ServerMetrics?> ScrapeAsync(HttpClient http, Uri baseUrl, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(baseUrl, "metrics"), ct);
        if (!response.IsSuccessStatusCode) return null;
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
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
        }
        return new ServerMetrics(sums);
    }

    public double this[string name] => sums.GetValueOrDefault(name);

    /// <summary>Mean of a histogram between two scrapes (sum delta / count delta).</summary>
    public static double? Mean(ServerMetrics before, ServerMetrics after, string histogram)
    {
        var count = after[histogram + "_count"] - before[histogram + "_count"];
        return count > 0 ? (after[histogram + "_sum"] - before[histogram + "_sum"]) / count : null;
    }
}
