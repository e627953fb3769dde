using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>
/// The load balancer in front of a cluster, reduced to what Okta's deliveries need: round robin over the hosts, and a
/// host that refuses connections (killed) is skipped for the next one. Loopback only.
/// </summary>
internal sealed class FailoverProxy : IAsyncDisposable
{
    private static readonly string[] ForwardedHeaders = ["Authorization", "x-okta-verification-challenge"];
    private readonly WebApplication app;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private IReadOnlyList<string> targets = [];
    private int next;

    private FailoverProxy(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public void SetTargets(IEnumerable<string> baseUrls) => targets = baseUrls.ToList();

    public static async Task<FailoverProxy> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new FailoverProxy(app, $"http://127.0.0.1:{port}");
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var hosts = targets;
        for (var i = 0; i < hosts.Count; i++)
        {
            var target = hosts[(int)((uint)Interlocked.Increment(ref next) % hosts.Count)];
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target + context.Request.Path + context.Request.QueryString);
            if (body.Length > 0 || context.Request.ContentType is not null)
            {
                request.Content = new ByteArrayContent(body.ToArray());
                if (context.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            foreach (var name in ForwardedHeaders)
                if (context.Request.Headers.TryGetValue(name, out var value)) request.Headers.TryAddWithoutValidation(name, value.ToString());
            try
            {
                using var response = await http.SendAsync(request, context.RequestAborted);
                context.Response.StatusCode = (int)response.StatusCode;
                if (response.Content.Headers.ContentType is { } contentType) context.Response.ContentType = contentType.ToString();
                await response.Content.CopyToAsync(context.Response.Body);
                return;
            }
            catch (HttpRequestException)
            {
                // Connection refused or reset: the host is gone, try the next one.
            }
        }
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.DisposeAsync();
    }
}
