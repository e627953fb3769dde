using System.Text.Json.Nodes;

namespace IdentiGuard.OktaEmulator;

/// <summary>Inputs for <see cref="LogEventFactory.Create(LogEventSpec)"/>; every field except EventType is optional.</summary>
public sealed class LogEventSpec
{
    public required string EventType { get; init; }
    public string? DisplayMessage { get; init; }
    public string Severity { get; init; } = "INFO";
    public string? LegacyEventType { get; init; }
    /// <summary>Actor object, e.g. <see cref="LogEventFactory.UserActor(OktaUser)"/>; defaults to a sample admin user.</summary>
    public JsonObject? Actor { get; init; }
    /// <summary>Target array; null writes <c>"target": null</c>.</summary>
    public JsonArray? Targets { get; init; }
    public string OutcomeResult { get; init; } = "SUCCESS";
    public string? OutcomeReason { get; init; }
    public string ClientIp { get; init; } = "142.126.158.61";
    public string? ClientId { get; init; }
    public string UserAgent { get; init; } =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36";
    public string UserAgentOs { get; init; } = "Mac OS X";
    public string UserAgentBrowser { get; init; } = "CHROME";
    public string ClientDevice { get; init; } = "Computer";
    /// <summary>geographicalContext object; defaults to Toronto (see <see cref="LogEventFactory.Geo"/>).</summary>
    public JsonObject? Geo { get; init; }
    public JsonObject? SecurityContext { get; init; }
    public JsonObject? Device { get; init; }
    public string TransactionType { get; init; } = "WEB";
    public string? TransactionId { get; init; }
    public JsonObject? TransactionDetail { get; init; }
    public string? RequestUri { get; init; }
    public string? Url { get; init; }
    /// <summary>Extra debugData entries merged over the defaults.</summary>
    public JsonObject? DebugData { get; init; }
    public string? ExternalSessionId { get; init; }
    public string? RootSessionId { get; init; }
    public string? CredentialType { get; init; }
    public string? AuthenticationProvider { get; init; }
    public DateTimeOffset? Published { get; init; }
    public string? Uuid { get; init; }
}
