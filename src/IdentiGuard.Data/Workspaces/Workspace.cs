namespace IdentiGuard.Data.Workspaces;

public sealed class Workspace
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool IsDemo { get; set; }
}
