namespace IdentiGuard.OktaEmulator.Tokens;

/// <summary>Okta management scopes known to the org authorization server.</summary>
internal static class OktaScopes
{
    public const string EventHooksRead = "okta.eventHooks.read";
    public const string EventHooksManage = "okta.eventHooks.manage";
    public const string LogsRead = "okta.logs.read";
    public const string UsersRead = "okta.users.read";
    public const string UsersManage = "okta.users.manage";

    private static readonly string[] Resources =
    [
        "apps", "apiTokens", "appGrants", "authenticators", "authorizationServers", "behaviors", "brands", "captchas",
        "clients", "devices", "domains", "emailDomains", "eventHooks", "factors", "features", "groups", "identitySources",
        "idps", "inlineHooks", "linkedObjects", "logStreams", "networkZones", "oauthIntegrations", "orgs", "policies",
        "principalRateLimits", "profileMappings", "rateLimits", "riskProviders", "roles", "schemas", "sessions",
        "templates", "threatInsights", "trustedOrigins", "uischemas", "userTypes", "users", "realms", "pushProviders",
    ];

    private static readonly HashSet<string> Known = BuildKnown();

    public static readonly HashSet<string> OidcScopes = new(StringComparer.Ordinal)
    {
        "openid", "profile", "email", "address", "phone", "offline_access", "groups", "device_sso",
    };

    public static bool IsKnown(string scope) => Known.Contains(scope);

    /// <summary>True when <paramref name="granted"/> satisfies <paramref name="required"/> (manage implies read).</summary>
    public static bool Satisfies(IEnumerable<string> granted, string required)
    {
        foreach (var g in granted)
        {
            if (g == required) return true;
            if (required.EndsWith(".read", StringComparison.Ordinal) &&
                g == required[..^".read".Length] + ".manage") return true;
        }
        return false;
    }

    private static HashSet<string> BuildKnown()
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { "okta.logs.read", "okta.riskEvents.manage", "okta.myAccount.read", "okta.myAccount.manage" };
        foreach (var r in Resources)
        {
            set.Add($"okta.{r}.read");
            set.Add($"okta.{r}.manage");
        }
        return set;
    }
}
