using System.ComponentModel.DataAnnotations;
using IdentiGuard.Data.Workspaces;

namespace IdentiGuard.Server.Oidc;

/// <summary>
/// Section <c>IdentiGuard:Oidc</c>: single sign-on with an OpenID Connect provider (for example the customer's own
/// Okta org). Off while <see cref="Authority"/> is empty.
/// </summary>
public sealed class OidcOptions : IValidatableObject
{
    public const string Section = "IdentiGuard:Oidc";
    public const string Scheme = "oidc";

    /// <summary>The issuer, e.g. <c>https://acme.okta.com</c> (Okta's org authorization server).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Shown on the sign-in button: "Sign in with {DisplayName}".</summary>
    [MaxLength(60)]
    public string DisplayName { get; set; } = "SSO";

    /// <summary>Scopes requested at sign-in (Okta's org authorization server returns the groups claim for <c>groups</c>).</summary>
    [Required]
    public string Scopes { get; set; } = "openid profile email groups";

    /// <summary>The ID token claim that lists the user's groups (Okta: a groups claim configured on the app).</summary>
    [Required]
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>Membership by group: at each SSO sign-in the user gets the highest mapped role per workspace; memberships no group grants any more are removed.</summary>
    public List<GroupMapping> GroupMappings { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out _)) yield return new ValidationResult("Authority must be an absolute URL.", [nameof(Authority)]);
        if (string.IsNullOrWhiteSpace(ClientId)) yield return new ValidationResult("ClientId is required when Authority is set.", [nameof(ClientId)]);
        if (string.IsNullOrWhiteSpace(ClientSecret)) yield return new ValidationResult("ClientSecret is required when Authority is set.", [nameof(ClientSecret)]);
        foreach (var (mapping, i) in GroupMappings.Select((m, i) => (m, i)))
        {
            if (string.IsNullOrWhiteSpace(mapping.Group)) yield return new ValidationResult($"GroupMappings:{i}:Group is required.", [nameof(GroupMappings)]);
            if (mapping.WorkspaceId == Guid.Empty) yield return new ValidationResult($"GroupMappings:{i}:WorkspaceId is required.", [nameof(GroupMappings)]);
        }
    }
}

public sealed class GroupMapping
{
    public string Group { get; set; } = "";
    public Guid WorkspaceId { get; set; }
    public WorkspaceRole Role { get; set; } = WorkspaceRole.Viewer;
}
