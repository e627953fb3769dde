using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Configuration;

/// <summary>Host-wide settings (section <c>IdentiGuard</c>).</summary>
public sealed class IdentiGuardOptions
{
    public const string Section = "IdentiGuard";

    /// <summary>Where the SQLite database and the Data Protection keys live.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The external URL Okta reaches IdentiGuard at; each tenant's event hook URI is built from it.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>Okta delivers more than this many bytes only if something is wrong: refuse with 413.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxHookBodyBytes { get; set; } = 10 * 1024 * 1024;

    public string ResolvedDataDirectory => Path.GetFullPath(DataDirectory);

    public string HookUriFor(Guid tenantId) => $"{PublicBaseUrl.TrimEnd('/')}/hooks/okta/{tenantId:D}";
}
