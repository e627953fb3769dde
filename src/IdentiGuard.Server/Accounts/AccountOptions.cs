namespace IdentiGuard.Server.Accounts;

/// <summary>Section <c>IdentiGuard:Bootstrap</c>: the first owner, created at start when no user exists.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "IdentiGuard:Bootstrap";

    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
    public string WorkspaceName { get; set; } = "Default";
}
