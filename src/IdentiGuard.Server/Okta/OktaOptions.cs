namespace IdentiGuard.Server.Okta;

/// <summary>Section <c>IdentiGuard:Okta</c>.</summary>
public sealed class OktaOptions
{
    public const string Section = "IdentiGuard:Okta";

    /// <summary>Accept <c>http://</c> Okta domains and hook URIs on loopback addresses (the emulator and tests only).</summary>
    public bool AllowInsecureLoopback { get; set; }

    /// <summary>How long one Okta API call may take before the org counts as unreachable.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
