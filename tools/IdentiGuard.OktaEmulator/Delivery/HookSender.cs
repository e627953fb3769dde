using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using IdentiGuard.OktaEmulator.EventHooks;

namespace IdentiGuard.OktaEmulator.Delivery;

internal sealed record SendOutcome(int? StatusCode, string? Error, string? ResponseBody, TimeSpan Duration, bool TimedOut)
{
    public bool IsSuccess => Error is null && StatusCode is >= 200 and < 300;
}

/// <summary>Outbound HTTP to hook endpoints: configured auth + custom headers, per-attempt timeout, no redirects.</summary>
internal sealed class HookSender : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<SendOutcome> SendAsync(HttpMethod method, HookChannel channel, string? jsonBody,
        IEnumerable<KeyValuePair<string, string>> extraHeaders, TimeSpan timeout, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, channel.Uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (channel.AuthKey is not null && channel.AuthValue is not null)
            request.Headers.TryAddWithoutValidation(channel.AuthKey, channel.AuthValue);
        foreach (var h in channel.Headers) request.Headers.TryAddWithoutValidation(h.Key, h.Value);
        foreach (var h in extraHeaders) request.Headers.TryAddWithoutValidation(h.Key, h.Value);
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var sw = Stopwatch.StartNew();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var body = await ReadLimitedAsync(response, cts.Token);
            return new SendOutcome((int)response.StatusCode, null, body, sw.Elapsed, false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SendOutcome(null, $"Timed out after {timeout.TotalSeconds:0.###} s", null, sw.Elapsed, true);
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome(null, "Connection error: " + ex.Message, null, sw.Elapsed, false);
        }
    }

    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[64 * 1024];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0) total += read;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    public void Dispose() => _http.Dispose();
}
