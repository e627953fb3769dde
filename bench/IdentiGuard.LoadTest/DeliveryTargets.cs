namespace IdentiGuard.LoadTest;

/// <summary>One tenant's event hook: its path on any host, its Authorization value, and deliveries for it.</summary>
internal sealed record HookTarget(string PathAndQuery, string Secret, DeliveryFactory Deliveries);

/// <summary>
/// Where each delivery goes: round-robin over the hosts (what a load balancer in front of a cluster does) and, within
/// that, over the tenants' hooks, so every host sees every tenant. With one host and one hook, always the hook's URI.
/// </summary>
internal sealed class DeliveryTargets(IReadOnlyList<Uri> hosts, IReadOnlyList<HookTarget> hooks)
{
    private long next = -1;

    public IReadOnlyList<Uri> Hosts => hosts;
    public IReadOnlyList<HookTarget> Hooks => hooks;

    public (Uri Uri, string Secret, byte[] Body) Next(int events)
    {
        var n = Interlocked.Increment(ref next);
        var hook = hooks[(int)(n / hosts.Count % hooks.Count)];
        return (new Uri(hosts[(int)(n % hosts.Count)], hook.PathAndQuery), hook.Secret, hook.Deliveries.Create(events));
    }

    /// <summary>The first tenant's hook on each host (alert probes rotate over these).</summary>
    public IReadOnlyList<Uri> FirstHookOnEachHost => hosts.Select(h => new Uri(h, hooks[0].PathAndQuery)).ToList();
}
