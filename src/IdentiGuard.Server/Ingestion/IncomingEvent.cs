namespace IdentiGuard.Server.Ingestion;

/// <summary>An Okta LogEvent as parsed from a delivery or a System Log page, with the fields the store indexes.</summary>
public sealed record IncomingEvent(string Uuid, string EventType, DateTime Published, string? ActorId, string? ActorAlternateId, string? ClientIp, string? OutcomeResult, string Json);
