using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Data.Detection;

/// <summary>A Sigma rule file a workspace added to the built-in pack (validated on save).</summary>
public sealed class CustomRule : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string FileName { get; set; }
    public required string Yaml { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
