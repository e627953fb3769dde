using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace IdentiGuard.Server.Okta;

public sealed record EventHookEvents(string Type, IReadOnlyList<string> Items);

public sealed record EventHookAuthScheme(string Type, string Key, string? Value);

public sealed record EventHookHeader(string Key, string Value);

public sealed record EventHookChannelConfig(string Uri, IReadOnlyList<EventHookHeader>? Headers, EventHookAuthScheme? AuthScheme);

public sealed record EventHookChannel(string Type, string Version, EventHookChannelConfig Config);

public sealed record EventHook(string? Id, string Name, string? Status, string? VerificationStatus, EventHookEvents Events, EventHookChannel Channel, string? Description = null);

/// <summary>Okta's Event Hooks management API (<c>okta.eventHooks.manage</c>).</summary>
public sealed class EventHooksApi(OktaHttp http, OktaTokenClient tokens)
{
    public Task<IReadOnlyList<EventHook>> ListAsync(OktaSession session, CancellationToken ct)
        => SendAsync<IReadOnlyList<EventHook>>(session, HttpMethod.Get, "/api/v1/eventHooks", null, ct)!;

    public Task<EventHook> CreateAsync(OktaSession session, EventHook hook, CancellationToken ct)
        => SendAsync<EventHook>(session, HttpMethod.Post, "/api/v1/eventHooks", hook, ct)!;

    public Task<EventHook> ReplaceAsync(OktaSession session, string id, EventHook hook, CancellationToken ct)
        => SendAsync<EventHook>(session, HttpMethod.Put, $"/api/v1/eventHooks/{Uri.EscapeDataString(id)}", hook, ct)!;

    public Task<EventHook> ActivateAsync(OktaSession session, string id, CancellationToken ct)
        => SendAsync<EventHook>(session, HttpMethod.Post, $"/api/v1/eventHooks/{Uri.EscapeDataString(id)}/lifecycle/activate", null, ct)!;

    public Task<EventHook> DeactivateAsync(OktaSession session, string id, CancellationToken ct)
        => SendAsync<EventHook>(session, HttpMethod.Post, $"/api/v1/eventHooks/{Uri.EscapeDataString(id)}/lifecycle/deactivate", null, ct)!;

    /// <summary>Okta calls IdentiGuard's hook endpoint with a one-time challenge; a failure comes back as a 400.</summary>
    public Task<EventHook> VerifyAsync(OktaSession session, string id, CancellationToken ct)
        => SendAsync<EventHook>(session, HttpMethod.Post, $"/api/v1/eventHooks/{Uri.EscapeDataString(id)}/lifecycle/verify", null, ct)!;

    public async Task DeleteAsync(OktaSession session, string id, CancellationToken ct)
        => await SendAsync<object>(session, HttpMethod.Delete, $"/api/v1/eventHooks/{Uri.EscapeDataString(id)}", null, ct, expectBody: false);

    private async Task<T?> SendAsync<T>(OktaSession session, HttpMethod method, string path, object? body, CancellationToken ct, bool expectBody = true)
    {
        var token = await tokens.GetTokenAsync(session, ct);
        using var request = new HttpRequestMessage(method, session.Credentials.Domain + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: OktaHttp.Json);
        using var response = await http.SendAsync(session, request, ct);
        return expectBody ? await OktaHttp.ReadAsync<T>(response, ct) : default;
    }
}
