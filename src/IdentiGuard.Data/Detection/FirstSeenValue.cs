namespace IdentiGuard.Data.Detection;

/// <summary>A value a first-seen rule has seen for an entity (e.g. a user's sign-in country), kept across restarts.</summary>
public sealed class FirstSeenValue
{
    public Guid TenantId { get; set; }
    public required string RuleId { get; set; }
    public required string Entity { get; set; }
    public required string Value { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
}
