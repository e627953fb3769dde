using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Tenants;

namespace IdentiGuard.Server.Health;

public enum HealthState
{
    Healthy = 0,
    Degraded = 1,
    Unhealthy = 2,
}

/// <summary>One reason a tenant is not healthy: a stable code (the alert's rule id suffix), its weight and the remedy.</summary>
public sealed record HealthReason(string Code, HealthState State, string Title, string Remedy);

public sealed record HookHealth(string OktaHookId, string Name, string Status, string VerificationStatus, bool Ok);

public sealed record HourlyCount(DateTime Hour, EventSource Source, int Count);

public sealed record DeliveryFailure(DateTime Published, string Uuid, string? Outcome);

public sealed record RateLimitHealth(int Limit, int Remaining, DateTime ResetAt, DateTime ObservedAt);

public sealed record HealthError(DateTime At, string Action, string Message, string? OktaRequestId, string? OktaErrorCode);

/// <summary>Everything the tenant health page shows, computed from the database and the in-memory rate-limit state.</summary>
public sealed record TenantHealth(
    Guid TenantId, string Name, string DomainUrl, TenantStatus Status, string? StatusDetail, DateTime ComputedAt,
    HealthState State, IReadOnlyList<HealthReason> Reasons,
    IReadOnlyList<HookHealth> Hooks, DateTime? LastDeliveryAt,
    bool PollingEnabled, DateTime? LastPolledAt, TimeSpan? CheckpointAge, DateTime? NewestPolledPublished, TimeSpan? PollerLag,
    IReadOnlyList<HourlyCount> EventsPerHour, IReadOnlyList<DeliveryFailure> DeliveryFailures,
    long HookEventsLast24h, long HookDailyWarning, long HookDailyCap,
    RateLimitHealth? RateLimit, int RateLimited429Last24h,
    IReadOnlyList<string> GrantedScopes, IReadOnlyList<string> RequiredScopes, IReadOnlyList<string> MissingRequiredScopes, IReadOnlyList<string> MissingOptionalScopes,
    IReadOnlyList<HealthError> LastErrors);
