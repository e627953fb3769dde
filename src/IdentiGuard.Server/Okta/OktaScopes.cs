namespace IdentiGuard.Server.Okta;

/// <summary>The OAuth scopes IdentiGuard asks the org authorization server for.</summary>
public static class OktaScopes
{
    public const string EventHooksManage = "okta.eventHooks.manage";
    public const string LogsRead = "okta.logs.read";
    public const string UsersRead = "okta.users.read";
    public const string UsersManage = "okta.users.manage";

    /// <summary>Without these IdentiGuard cannot register its hook or read the System Log.</summary>
    public static readonly IReadOnlyList<string> Required = [EventHooksManage, LogsRead];

    /// <summary>Enrichment and response actions; their absence is a notice, not a failure.</summary>
    public static readonly IReadOnlyList<string> Optional = [UsersRead, UsersManage];

    public static IReadOnlyList<string> All { get; } = [.. Required, .. Optional];

    /// <summary>A <c>manage</c> grant includes the matching <c>read</c>.</summary>
    public static bool IsGranted(IEnumerable<string> granted, string scope)
    {
        var set = granted.ToHashSet(StringComparer.Ordinal);
        return set.Contains(scope) || (scope.EndsWith(".read", StringComparison.Ordinal) && set.Contains(scope[..^".read".Length] + ".manage"));
    }
}
