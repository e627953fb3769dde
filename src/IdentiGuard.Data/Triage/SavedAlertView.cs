using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Triage;

/// <summary>A named set of alert filters, private to one member in one workspace.</summary>
public sealed class SavedAlertView : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>The filters as JSON (the API's filter shape), so new filters need no schema change.</summary>
    public required string FilterJson { get; set; }
    public DateTime CreatedAt { get; set; }
}
