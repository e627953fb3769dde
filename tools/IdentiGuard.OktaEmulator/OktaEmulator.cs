using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Admin;
using IdentiGuard.OktaEmulator.Delivery;
using IdentiGuard.OktaEmulator.EventHooks;
using IdentiGuard.OktaEmulator.Oidc;
using IdentiGuard.OktaEmulator.Infrastructure;
using IdentiGuard.OktaEmulator.SystemLog;
using IdentiGuard.OktaEmulator.Tokens;
using IdentiGuard.OktaEmulator.Users;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IdentiGuard.OktaEmulator;

/// <summary>An emulated Okta org on a real Kestrel socket.</summary>
public sealed class OktaEmulator : IAsyncDisposable
{
    public static readonly string[] SeedScopes =
        [OktaScopes.EventHooksManage, OktaScopes.LogsRead, OktaScopes.UsersRead, OktaScopes.UsersManage];

    private readonly EmulatorState _state;
    private readonly HookSender _sender = new();
    private readonly DeliveryService _delivery;
    private WebApplication? _app;

    private OktaEmulator(OktaEmulatorOptions options)
    {
        _state = new EmulatorState(options);
        _delivery = new DeliveryService(_state, _sender);
        SeedClient = _state.AddClient("IdentiGuard", SeedScopes, options.SeedClientId, options.SeedClientSecret);
        Oidc = new OidcServer(options.TimeProvider);
    }

    public static async Task<OktaEmulator> StartAsync(OktaEmulatorOptions? options = null, CancellationToken ct = default)
    {
        var emulator = new OktaEmulator(options ?? new OktaEmulatorOptions());
        try
        {
            await emulator.StartCoreAsync(ct);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
        return emulator;
    }

    private async Task StartCoreAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OktaEmulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (_state.Options.ConsoleLogging)
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        // Kestrel cannot bind a dynamic port on "localhost"; use the IPv4 loopback instead.
        builder.WebHost.UseUrls(_state.Options.Url.Replace("://localhost:0", "://127.0.0.1:0", StringComparison.OrdinalIgnoreCase));
        builder.Services.AddSingleton(_state);
        builder.Services.AddSingleton(_sender);
        builder.Services.AddSingleton(this);
        builder.Services.AddSingleton<HookVerifier>();
        builder.Services.AddSingleton(Oidc);

        var app = builder.Build();
        OktaPipeline.Use(app, _state);
        TokenEndpoint.Map(app);
        EventHookEndpoints.Map(app);
        LogsEndpoint.Map(app);
        UserEndpoints.Map(app);
        OidcEndpoints.Map(app);
        ControlPlane.Map(app);
        AdminPage.Map(app);
        _app = app;

        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _state.BaseUrl = address.TrimEnd('/');
        _delivery.Start();
    }

    /// <summary>The "Okta domain", e.g. http://127.0.0.1:41234.</summary>
    public string BaseUrl => _state.BaseUrl;

    public OktaEmulatorOptions Options => _state.Options;

    /// <summary>The installed "IdentiGuard" API service integration.</summary>
    public EmulatedClient SeedClient { get; }

    /// <summary>The org authorization server for OpenID Connect sign-in (apps, users and their groups).</summary>
    public OidcServer Oidc { get; }

    public EmulatedClient AddClient(params string[] grantedScopes) => _state.AddClient("IdentiGuard", grantedScopes);

    public void RevokeClient(string clientId)
    {
        var client = _state.FindClient(clientId) ?? throw new KeyNotFoundException($"Unknown client {clientId}");
        lock (_state.Sync) client.Revoked = true;
        _state.Tokens.RevokeAllFor(clientId);
    }

    /// <summary>Generates a second active client secret for the client (secret rotation) and returns it.</summary>
    public string AddClientSecret(string clientId)
    {
        var client = _state.FindClient(clientId) ?? throw new KeyNotFoundException($"Unknown client {clientId}");
        var secret = Infrastructure.Ids.ClientSecret();
        lock (_state.Sync) client.RotatedSecrets.Add(secret);
        return secret;
    }

    /// <summary>Deactivates one of the client's secrets: token requests with it fail with invalid_client.</summary>
    public void DeactivateClientSecret(string clientId, string secret)
    {
        var client = _state.FindClient(clientId) ?? throw new KeyNotFoundException($"Unknown client {clientId}");
        lock (_state.Sync) client.DeactivatedSecrets.Add(secret);
    }

    /// <summary>An event hook someone else registered in the org (an admin, another integration), as if created in the Admin Console.</summary>
    public string AddHook(string name, string uri, params string[] eventTypes)
    {
        lock (_state.Sync)
        {
            var now = _state.Time.GetUtcNow();
            var hook = new EventHook
            {
                Id = Ids.HookId(), Name = name, Created = now, LastUpdated = now, EventTypes = [.. eventTypes],
                Channel = new HookChannel(uri, [], "Authorization", "someone-else's-secret"),
            };
            _state.Hooks.Add(hook);
            return hook.Id;
        }
    }

    public IReadOnlyList<EventHookSnapshot> Hooks
    {
        get { lock (_state.Sync) return _state.Hooks.Select(h => h.Snapshot()).ToList(); }
    }

    public IReadOnlyList<RecordedRequest> Requests => _state.Requests.ToArray();
    public IReadOnlyList<DeliveryAttempt> Deliveries => _state.Deliveries.ToArray();
    public IReadOnlyList<JsonObject> SystemLog => _state.Log.Snapshot().Select(e => (JsonObject)e.Event.DeepClone()).ToList();

    /// <summary>Preview → "Deliver Request": one POST (no retry) of the most recent System Log event of the type, else sample data.</summary>
    public Task<DeliveryResult> PreviewDeliverAsync(string hookId, string eventType, string? editedBody = null, CancellationToken ct = default) =>
        new PreviewService(_state, _sender).DeliverAsync(hookId, eventType, editedBody, ct);

    /// <summary>The JSON body Preview would deliver (what the Admin Console shows before "Deliver Request").</summary>
    public string PreviewBody(string hookId, string eventType) => new PreviewService(_state, _sender).BuildBody(hookId, eventType);

    /// <summary>Appends to the System Log and queues delivery to every ACTIVE+VERIFIED subscribed hook; returns the uuid.</summary>
    public Task<string> EmitAsync(JsonObject logEvent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ct.ThrowIfCancellationRequested();
        var entry = _state.Log.Append(logEvent);
        _delivery.Enqueue(entry.Event);
        return Task.FromResult(OktaJson.GetString(entry.Event, "uuid")!);
    }

    /// <summary>Completes when no delivery (including retries) is queued or in flight.</summary>
    public Task WhenDeliveriesIdleAsync(CancellationToken ct = default) => _delivery.WhenIdleAsync(ct);

    public void DropNextDeliveries(int count) => _state.DropNext(count);

    public void SetLogsUnavailable(bool unavailable) => _state.LogsUnavailable = unavailable;

    public OktaUser AddUser(string login, string firstName, string lastName)
    {
        lock (_state.Sync)
        {
            if (_state.Users.Any(u => string.Equals(u.Login, login, StringComparison.OrdinalIgnoreCase)))
                throw new InvalidOperationException($"login: An object with this field already exists in the current organization ({login})");
            var user = new OktaUser(Ids.UserId(), login, firstName, lastName, _state.Time.GetUtcNow());
            _state.Users.Add(user);
            return user;
        }
    }

    public OktaUser? FindUser(string idOrLogin) => _state.FindUser(idOrLogin);

    /// <summary>Test hook: force a user status (e.g. LOCKED_OUT before testing unlock).</summary>
    public void SetUserStatus(string idOrLogin, string status)
    {
        var user = FindUser(idOrLogin) ?? throw new KeyNotFoundException(idOrLogin);
        lock (_state.Sync)
        {
            user.Status = status;
            user.StatusChanged = _state.Time.GetUtcNow();
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _delivery.DisposeAsync();
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }
        _sender.Dispose();
        Oidc.Dispose();
    }
}
