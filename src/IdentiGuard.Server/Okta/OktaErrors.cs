namespace IdentiGuard.Server.Okta;

/// <summary>One Okta call, as the activity log records it.</summary>
public sealed record OktaCallRecord(string Method, string Path, int? Status, string? RequestId, string? ErrorCode, string? ErrorSummary, TimeSpan Duration);

/// <summary>Okta answered with an error object (<c>errorCode</c>, <c>errorSummary</c>) or an OAuth error.</summary>
public sealed class OktaApiException(int status, string? errorCode, string summary, IReadOnlyList<string> causes, string? requestId, string? missingScope = null)
    : Exception($"Okta returned {status} {errorCode}: {summary}")
{
    public int Status { get; } = status;
    public string? ErrorCode { get; } = errorCode;
    public string Summary { get; } = summary;
    public IReadOnlyList<string> Causes { get; } = causes;
    public string? RequestId { get; } = requestId;
    /// <summary>From <c>WWW-Authenticate: … error="insufficient_scope", scope="…"</c>.</summary>
    public string? MissingScope { get; } = missingScope;

    public string Describe() => Causes.Count == 0 ? Summary : $"{Summary} ({string.Join("; ", Causes)})";
}

/// <summary>The Okta org could not be reached at all (DNS, TLS, connection refused, timeout).</summary>
public sealed class OktaUnreachableException(string domain, string reason, Exception? inner = null)
    : Exception($"Okta at {domain} could not be reached: {reason}", inner)
{
    public string Reason { get; } = reason;
}
