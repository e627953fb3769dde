using System.ComponentModel.DataAnnotations;

namespace IdentiGuard.Server.Demo;

/// <summary>Section <c>IdentiGuard:Demo</c>: demo mode, normally turned on by the <c>demo</c> command.</summary>
public sealed class DemoOptions
{
    public const string Section = "IdentiGuard:Demo";

    /// <summary>Start an emulated Okta org in-process, connect a demo tenant to it and play <see cref="Scenario"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>A built-in scenario name (<c>Demo/Scenarios/{name}.json</c>) or the path of a scenario file.</summary>
    [Required]
    public string Scenario { get; set; } = "acme-workday";

    /// <summary>Playback speed: 2 plays the scenario twice as fast, 0.5 at half speed.</summary>
    [Range(0.05, 100)]
    public double Speed { get; set; } = 1;

    /// <summary>Listen URL of the emulated Okta org (a loopback address; port 0 picks a free one).</summary>
    [Required]
    public string OktaUrl { get; set; } = "http://127.0.0.1:0";

    /// <summary>The workspace the demo tenant is added to (created and marked as a demo workspace when missing).</summary>
    [Required]
    public string WorkspaceName { get; set; } = "Demo";
}
