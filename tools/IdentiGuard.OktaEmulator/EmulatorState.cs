using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.EventHooks;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.SystemLog;
using IdentiGuard.OktaEmulator.Tokens;

namespace IdentiGuard.OktaEmulator;

/// <summary>All mutable org state, shared by the HTTP endpoints and the in-process API.</summary>
internal sealed class EmulatorState
{
    public EmulatorState(OktaEmulatorOptions options)
    {
        Options = options;
        Time = options.TimeProvider;
        RateLimiter = new RateLimiter(Time);
        Tokens = new TokenStore(Time);
        Log = new SystemLogStore(Time);
    }

    public OktaEmulatorOptions Options { get; }
    public TimeProvider Time { get; }
    public RateLimiter RateLimiter { get; }
    public TokenStore Tokens { get; }
    public SystemLogStore Log { get; }
    public EventTypeCatalog Catalog { get; } = EventTypeCatalog.Load();
    public string BaseUrl { get; set; } = "";

    /// <summary>Guards clients, hooks and users.</summary>
    public Lock Sync { get; } = new();
    public Dictionary<string, EmulatedClient> Clients { get; } = new(StringComparer.Ordinal);
    public List<EventHook> Hooks { get; } = [];
    public List<OktaUser> Users { get; } = [];

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public ConcurrentQueue<DeliveryAttempt> Deliveries { get; } = new();

    private int _dropNext;
    public volatile bool LogsUnavailable;

    public void DropNext(int count) => Interlocked.Add(ref _dropNext, count);

    public bool TryConsumeDrop()
    {
        while (true)
        {
            var current = Volatile.Read(ref _dropNext);
            if (current <= 0) return false;
            if (Interlocked.CompareExchange(ref _dropNext, current - 1, current) == current) return true;
        }
    }

    public EmulatedClient AddClient(string name, IEnumerable<string> scopes, string? clientId = null, string? secret = null)
    {
        var client = new EmulatedClient(clientId ?? Ids.ClientId(), secret ?? Ids.ClientSecret(), name, scopes.Distinct().ToArray());
        lock (Sync) Clients[client.ClientId] = client;
        return client;
    }

    public EmulatedClient? FindClient(string clientId)
    {
        lock (Sync) return Clients.GetValueOrDefault(clientId);
    }

    public OktaUser? FindUser(string idOrLogin)
    {
        lock (Sync)
        {
            return Users.FirstOrDefault(u => u.Id == idOrLogin)
                ?? Users.FirstOrDefault(u => string.Equals(u.Login, idOrLogin, StringComparison.OrdinalIgnoreCase))
                ?? FindByShortLogin(idOrLogin);
        }
    }

    private OktaUser? FindByShortLogin(string shortLogin)
    {
        var matches = Users.Where(u => string.Equals(u.Login.Split('@')[0], shortLogin, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>The actor/client/transaction part of a System Log event written because of an API call.</summary>
    public JsonObject ApiEvent(HttpContext ctx, string eventType, string displayMessage, JsonArray? target, string result = "SUCCESS", string? reason = null)
    {
        var clientId = ctx.Items[HttpItems.ClientId] as string;
        var client = clientId is null ? null : FindClient(clientId);
        var requestId = ctx.Items[HttpItems.RequestId] as string ?? Ids.RequestId();
        var actor = client is null
            ? LogEventFactory.SystemActor()
            : LogEventFactory.ClientActor(client.ClientId, client.Name);
        var ip = ctx.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        return LogEventFactory.Create(new LogEventSpec
        {
            EventType = eventType,
            DisplayMessage = displayMessage,
            Actor = actor,
            Targets = target,
            OutcomeResult = result,
            OutcomeReason = reason,
            ClientIp = ip,
            ClientId = client?.ClientId,
            UserAgent = ctx.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : "UNKNOWN",
            UserAgentOs = "Unknown",
            UserAgentBrowser = "UNKNOWN",
            ClientDevice = "Unknown",
            Geo = LogEventFactory.Geo(null, null, null, null, null, null),
            SecurityContext = LogEventFactory.SecurityContext(null, null, null, null, null),
            TransactionId = requestId,
            RequestUri = ctx.Request.Path.Value,
            Url = ctx.Request.Path.Value + ctx.Request.QueryString.Value,
            Published = Time.GetUtcNow(),
        });
    }
}

internal static class HttpItems
{
    public const string RequestId = "okta.requestId";
    public const string ClientId = "okta.clientId";
}
