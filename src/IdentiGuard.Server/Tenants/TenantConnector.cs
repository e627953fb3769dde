using System.Text.RegularExpressions;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Okta;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Tenants;

public sealed record ConnectOutcome(TenantStatus Status, string Detail, IReadOnlyList<string> Notices, IReadOnlyList<string> GrantedScopes, IReadOnlyList<TenantHook> Hooks);

public sealed record DisconnectOutcome(bool Complete, string Detail);

/// <summary>
/// Everything IdentiGuard does in a customer's Okta org to connect a tenant: token and scope check, event hooks for
/// the selected types (split at Okta's 300 types per hook), adoption or removal of leftover IdentiGuard hooks, and
/// verification. Each outcome carries the remedy in an Okta admin's words.
/// </summary>
public sealed partial class TenantConnector(OktaTokenClient tokens, EventHooksApi hooks, IOptions<IdentiGuardOptions> host, TimeProvider time)
{
    public const int MaxTypesPerHook = 300;
    public const string HookName = "IdentiGuard";

    public async Task<ConnectOutcome> ConnectAsync(OktaSession session, Tenant tenant, string hookSecret, IReadOnlyList<string> hookEventTypes,
        Func<CancellationToken, Task<IReadOnlySet<Guid>>> liveTenants, CancellationToken ct)
    {
        try
        {
            await tokens.GetTokenAsync(session, ct);
            var granted = session.GrantedScopes;
            var missing = OktaScopes.Required.Where(s => !OktaScopes.IsGranted(granted, s)).ToList();
            if (missing.Count > 0)
                return Outcome(session, TenantStatus.MissingScope,
                    $"The IdentiGuard integration in Okta is missing the scope {string.Join(" and ", missing)}. In the Okta Admin Console open Applications > Applications > IdentiGuard > Okta API Scopes, grant {string.Join(" and ", missing)}, then click Retry.");

            var notices = OktaScopes.Optional.Where(s => !OktaScopes.IsGranted(granted, s))
                .Select(s => $"Optional scope {s} is not granted: {(s == OktaScopes.UsersManage ? "response actions (suspend user, clear sessions) are unavailable" : "user details are not enriched")}.")
                .ToList();

            var hooksOut = await EnsureHooksAsync(session, tenant, hookSecret, hookEventTypes, liveTenants, ct);
            var unverified = hooksOut.Where(h => h.VerificationStatus != "VERIFIED").ToList();
            if (unverified.Count > 0)
                return Outcome(session, TenantStatus.VerificationFailed, VerificationRemedy(tenant, null), notices, hooksOut);
            return Outcome(session, TenantStatus.Connected,
                $"Connected: {hookEventTypes.Count} event types are delivered by {hooksOut.Count} verified event hook{(hooksOut.Count == 1 ? "" : "s")}.", notices, hooksOut);
        }
        catch (OktaUnreachableException ex)
        {
            return Outcome(session, TenantStatus.OktaUnreachable,
                $"IdentiGuard could not reach Okta at {tenant.DomainUrl} ({ex.Reason}). Check the Domain URL (your Okta domain, such as acme.okta.com) and that this server can reach it over HTTPS, then click Retry.");
        }
        catch (OktaApiException ex) when (ex.ErrorCode is "invalid_client" or "unauthorized_client" || (ex.Status == 401 && ex.ErrorCode is null))
        {
            tokens.Invalidate(session.Credentials);
            return Outcome(session, TenantStatus.CredentialsRejected,
                $"Okta rejected the Client ID or Client Secret: {ex.Summary} Copy both again from Applications > Applications > IdentiGuard in the Okta Admin Console, paste them here and save. A secret can only be copied when it is generated; generate a new one if needed.");
        }
        catch (OktaApiException ex) when (ex.MissingScope is not null || ex.ErrorCode == "invalid_scope")
        {
            var scope = ex.MissingScope ?? string.Join(" and ", OktaScopes.Required);
            return Outcome(session, TenantStatus.MissingScope,
                $"Okta refused the request because the IdentiGuard integration lacks the scope {scope}. Grant it under Applications > Applications > IdentiGuard > Okta API Scopes, then click Retry.");
        }
        catch (OktaApiException ex) when (ex.Status == 400 && session.Calls.LastOrDefault()?.Path.EndsWith("/lifecycle/verify", StringComparison.Ordinal) == true)
        {
            return Outcome(session, TenantStatus.VerificationFailed, VerificationRemedy(tenant, ex.Describe()));
        }
        catch (OktaApiException ex) when (ex.Status == 403)
        {
            return Outcome(session, TenantStatus.OktaError,
                $"Okta denied the request ({ex.ErrorCode}: {ex.Describe()}). Event hooks can be managed only by an integration with a super administrator grant; check the integration's admin role in Okta, then click Retry.");
        }
        catch (OktaApiException ex)
        {
            return Outcome(session, TenantStatus.OktaError,
                $"Okta returned an error ({ex.Status} {ex.ErrorCode}: {ex.Describe()}). Check the activity log for the Okta request id, fix the cause in Okta, then click Retry.");
        }
    }

    /// <summary>
    /// Deactivates and deletes every hook that delivers to the tenant (found in Okta by URI, plus the ones on record);
    /// when Okta cannot be used, says what to remove by hand.
    /// </summary>
    public async Task<DisconnectOutcome> DisconnectAsync(OktaSession session, Guid tenantId, IReadOnlyList<TenantHook> knownHooks, CancellationToken ct)
    {
        var targets = knownHooks.Select(h => (h.OktaHookId, h.Name)).ToList();
        var failed = new List<(string Id, string Name)>();
        try
        {
            var inOkta = await hooks.ListAsync(session, ct);
            targets = targets.UnionBy(inOkta.Where(h => HookTenantId(h) == tenantId).Select(h => (h.Id!, h.Name)), t => t.Item1).ToList();
        }
        catch (Exception ex) when (ex is OktaApiException or OktaUnreachableException)
        {
            // Fall back to the hooks on record.
        }
        foreach (var (id, name) in targets)
        {
            try
            {
                await DeleteHookAsync(session, id, ct);
            }
            catch (Exception ex) when (ex is OktaApiException or OktaUnreachableException)
            {
                failed.Add((id, name));
            }
        }
        if (failed.Count == 0) return new DisconnectOutcome(true, $"Removed {targets.Count} event hook(s) from Okta.");
        var names = string.Join(", ", failed.Select(h => $"\"{h.Name}\" ({h.Id})"));
        return new DisconnectOutcome(false,
            $"IdentiGuard could not remove its event hooks from Okta (the credentials may already be revoked). In the Okta Admin Console open Workflow > Event Hooks and, for {names}, choose Deactivate and then Delete.");
    }

    private async Task<List<TenantHook>> EnsureHooksAsync(OktaSession session, Tenant tenant, string hookSecret, IReadOnlyList<string> types,
        Func<CancellationToken, Task<IReadOnlySet<Guid>>> liveTenants, CancellationToken ct)
    {
        var uri = host.Value.HookUriFor(tenant.Id);
        var chunks = types.Chunk(MaxTypesPerHook).ToList();
        var existing = await hooks.ListAsync(session, ct);
        // Read after the list: a tenant added concurrently saves its row before creating its hook, so any hook listed
        // here belongs to a tenant this read sees.
        var live = await liveTenants(ct);

        var own = new List<EventHook>();
        foreach (var hook in existing)
        {
            if (HookTenantId(hook) is not { } owner) continue;
            if (owner == tenant.Id) own.Add(hook);
            // A leftover of a tenant removed from this IdentiGuard. Hooks of another installation (staging beside
            // production, say) point at another address and are not ours to remove.
            else if (!live.Contains(owner) && string.Equals(hook.Channel.Config.Uri, host.Value.HookUriFor(owner), StringComparison.OrdinalIgnoreCase))
                await DeleteHookAsync(session, hook.Id!, ct);
        }

        var result = new List<TenantHook>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var name = chunks.Count == 1 ? HookName : $"{HookName} ({i + 1} of {chunks.Count})";
            var desired = new EventHook(null, name, null, null, new EventHookEvents("EVENT_TYPE", chunks[i]),
                new EventHookChannel("HTTP", "1.0.0", new EventHookChannelConfig(uri, null, new EventHookAuthScheme("HEADER", "Authorization", hookSecret))),
                $"Delivers Okta events to IdentiGuard tenant {tenant.Name}.");
            var hook = i < own.Count ? await hooks.ReplaceAsync(session, own[i].Id!, desired, ct) : await hooks.CreateAsync(session, desired, ct);
            if (hook.Status != "ACTIVE") hook = await hooks.ActivateAsync(session, hook.Id!, ct);
            if (hook.VerificationStatus != "VERIFIED") hook = await hooks.VerifyAsync(session, hook.Id!, ct);
            result.Add(new TenantHook
            {
                Id = Guid.NewGuid(), TenantId = tenant.Id, OktaHookId = hook.Id!, Name = hook.Name, EventTypeCount = chunks[i].Length,
                Status = hook.Status ?? "ACTIVE", VerificationStatus = hook.VerificationStatus ?? "UNVERIFIED", UpdatedAt = time.GetUtcNow().UtcDateTime,
            });
        }
        foreach (var surplus in own.Skip(chunks.Count)) await DeleteHookAsync(session, surplus.Id!, ct);
        return result;
    }

    private async Task DeleteHookAsync(OktaSession session, string hookId, CancellationToken ct)
    {
        try
        {
            await hooks.DeactivateAsync(session, hookId, ct);
        }
        catch (OktaApiException ex) when (ex.Status == 404)
        {
            return;
        }
        await hooks.DeleteAsync(session, hookId, ct);
    }

    /// <summary>The IdentiGuard tenant an event hook delivers to, from its URI (any base URL, so a moved host still finds its hooks).</summary>
    private static Guid? HookTenantId(EventHook hook)
    {
        var match = HookUriPattern().Match(hook.Channel.Config.Uri);
        return hook.Name.StartsWith(HookName, StringComparison.Ordinal) && match.Success ? Guid.Parse(match.Groups[1].Value) : null;
    }

    private string VerificationRemedy(Tenant tenant, string? oktaReason)
        => $"Okta could not verify the event hook{(oktaReason is null ? "" : $" ({oktaReason})")}. Okta must reach {host.Value.HookUriFor(tenant.Id)} over HTTPS from the internet: check IdentiGuard:PublicBaseUrl, your reverse proxy or tunnel, and firewall, then click Retry.";

    private static ConnectOutcome Outcome(OktaSession session, TenantStatus status, string detail, IReadOnlyList<string>? notices = null, IReadOnlyList<TenantHook>? hooksOut = null)
        => new(status, detail, notices ?? [], session.GrantedScopes, hooksOut ?? []);

    [GeneratedRegex(@"/hooks/okta/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/?$")]
    private static partial Regex HookUriPattern();
}
