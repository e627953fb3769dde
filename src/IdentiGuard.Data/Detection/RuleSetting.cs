using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Detection;

/// <summary>A workspace's choice for one rule: enabled or not, and its parameters (thresholds, allow-lists) as JSON.</summary>
public sealed class RuleSetting : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public required string RuleId { get; set; }
    public bool? Enabled { get; set; }
    public string? ParametersJson { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
