using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentiGuard.OktaEmulator.Tests.Support;

internal sealed record ReceivedRequest(string Method, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

internal sealed record ReceiverReply(int Status, string? Body = null, TimeSpan Delay = default);

/// <summary>A tiny Kestrel app standing in for IdentiGuard's event-hook endpoint.</summary>
internal sealed class HookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HookReceiver(WebApplication app, string baseUrl)
    {
        _app = app;
        Url = baseUrl + "/okta/hooks";
    }

    public string Url { get; }
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();
    public IReadOnlyList<ReceivedRequest> Posts => Received.Where(r => r.Method == "POST").ToList();
    public IReadOnlyList<ReceivedRequest> Gets => Received.Where(r => r.Method == "GET").ToList();

    /// <summary>Decides the reply; default echoes the verification challenge on GET and answers 200 to POST.</summary>
    public Func<ReceivedRequest, int, ReceiverReply> Reply { get; set; } = Default;

    public static ReceiverReply Default(ReceivedRequest r, int n) =>
        r.Method == "GET"
            ? new ReceiverReply(200, new JsonObject { ["verification"] = r.Header("x-okta-verification-challenge") }.ToJsonString())
            : new ReceiverReply(200);

    public static async Task<HookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        HookReceiver? self = null;
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            var req = new ReceivedRequest(ctx.Request.Method, headers, body);
            self!.Received.Enqueue(req);
            var reply = self.Reply(req, self.Received.Count);
            if (reply.Delay > TimeSpan.Zero)
            {
                try { await Task.Delay(reply.Delay, ctx.RequestAborted); }
                catch (OperationCanceledException) { return; }
            }
            ctx.Response.StatusCode = reply.Status;
            if (reply.Body is not null)
            {
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(reply.Body);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new HookReceiver(app, address.TrimEnd('/'));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
