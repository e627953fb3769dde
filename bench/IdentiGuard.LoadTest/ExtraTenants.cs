using IdentiGuard.OktaEmulator;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.LoadTest;

/// <summary>
/// The tenants of <c>--load-tenants</c> beyond the first, each added through the API against its own emulated Okta org
/// in this process (one hook per org, as one customer org per tenant has). Several tenants let tenant grains, and so
/// the processing, spread over the hosts of a cluster: one tenant's events are all processed by one host. Tenant i is
/// added through host i mod N, as administrators behind a load balancer would. (Tenant grains are placed by activation
/// count; under Orleans' default, which favours the first caller's silo, tenants all added through one host were all
/// processed there.)
/// </summary>
internal sealed class ExtraTenants : IAsyncDisposable
{
    private readonly List<EmulatedOkta> orgs = [];

    public List<HookTarget> Hooks { get; } = [];

    /// <param name="hosts">the cluster's hosts; the first tenant (not added here) went through the first of them.</param>
    public static async Task<ExtraTenants> AddAsync(IdentiGuardSession session, IReadOnlyList<Uri> hosts, int count, CancellationToken ct)
    {
        var extra = new ExtraTenants();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var org = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true }, ct);
                extra.orgs.Add(org);
                using var host = session.ForHost(hosts[(i + 1) % hosts.Count]);
                var tenant = await host.AddTenantAsync(org.SeedClient.ClientId, org.SeedClient.ClientSecret, org.BaseUrl, ct);
                var id = tenant.GetProperty("id").GetString();
                var hook = org.Hooks.FirstOrDefault(h => h.Uri.EndsWith("/" + id, StringComparison.OrdinalIgnoreCase) && h.AuthSchemeValue is not null)
                    ?? throw new InvalidOperationException($"Adding tenant {id} registered no event hook in its emulated org.");
                extra.Hooks.Add(new HookTarget(new Uri(hook.Uri).PathAndQuery, hook.AuthSchemeValue!, new DeliveryFactory(org.BaseUrl, hook.Id, seed: 20261129 + i + 1)));
            }
            return extra;
        }
        catch
        {
            await extra.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var org in orgs) await org.DisposeAsync();
        orgs.Clear();
    }
}
