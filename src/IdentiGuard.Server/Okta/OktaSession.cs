namespace IdentiGuard.Server.Okta;

public sealed record OktaCredentials(Guid TenantId, string Domain, string ClientId, string ClientSecret)
{
    // Never print the secret, whatever logs or formats this record.
    public override string ToString() => $"OktaCredentials {{ TenantId = {TenantId}, Domain = {Domain}, ClientId = {ClientId} }}";
}

/// <summary>A unit of work against one org: its credentials and the calls made, for the activity log.</summary>
public sealed class OktaSession(OktaCredentials credentials)
{
    private readonly List<OktaCallRecord> calls = [];

    public OktaCredentials Credentials { get; } = credentials;
    public IReadOnlyList<OktaCallRecord> Calls => calls;
    public IReadOnlyList<string> GrantedScopes { get; internal set; } = [];

    internal void Record(OktaCallRecord call)
    {
        lock (calls) calls.Add(call);
    }
}
