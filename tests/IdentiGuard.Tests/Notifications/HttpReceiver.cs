using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentiGuard.Tests.Notifications;

internal sealed record ReceivedPost(string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>A local HTTP server standing in for Slack, Teams, a SIEM webhook or PagerDuty: records every request and answers per path.</summary>
internal sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, int> counts = new();

    private HttpReceiver(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public ConcurrentQueue<ReceivedPost> Received { get; } = new();

    /// <summary>Status to answer for the n-th (1-based) request to a path; 200 by default.</summary>
    public Func<string, int, int> Status { get; set; } = (_, _) => 200;

    public IReadOnlyList<ReceivedPost> At(string path) => Received.Where(r => r.Path == path).ToList();

    public static async Task<HttpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        HttpReceiver? self = null;
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            var path = ctx.Request.Path.Value ?? "/";
            var n = self!.counts.AddOrUpdate(path, 1, (_, c) => c + 1);
            self.Received.Enqueue(new ReceivedPost(path, ctx.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body));
            ctx.Response.StatusCode = self.Status(path, n);
            await ctx.Response.WriteAsync(ctx.Response.StatusCode < 300 ? "ok" : "receiver is failing on purpose");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new HttpReceiver(app, address.TrimEnd('/'));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
