using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Hooks;

/// <summary>
/// Runs alone: meters are process-wide, and the OpenTelemetry provider of every host in the test process subscribes to
/// every meter named IdentiGuard. Once, on PostgreSQL in CI, this host's scrape showed none of its own counters while
/// other test classes' hosts were running beside it.
/// </summary>
[Collection(nameof(MetricsEndpointTests))]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task MetricsEndpoint_ExposesIdentiGuardMetersAfterADelivery()
    {
        var (org, http) = await GroupCommitTests.DeliveredAsync("m-1", "m-2");
        await using var _ = org;
        using var __ = http;
        string[] expected =
        [
            "identiguard_hook_deliveries_total{otel_scope_name=\"IdentiGuard\",outcome=\"accepted\"}",
            "identiguard_events_stored_total{otel_scope_name=\"IdentiGuard\",source=\"hook\"}",
            "identiguard_hook_batch_deliveries_bucket",
            "identiguard_hook_commit_duration_seconds_bucket",
            "identiguard_detection_latency_seconds_bucket",
            "identiguard_alerts_raised_total",
            "identiguard_hook_queue_events",
        ];
        // Processing (detection latency, alerts) follows the acknowledgement, and the exporter caches a scrape briefly.
        var scrape = await TestOrg.EventuallyAsync(() => http.GetStringAsync("/metrics"), text => expected.All(text.Contains), TimeSpan.FromSeconds(60));
        Assert.All(expected, name => Assert.Contains(name, scrape));
    }
}

[CollectionDefinition(nameof(MetricsEndpointTests), DisableParallelization = true)]
public sealed class MetricsEndpointCollection;
