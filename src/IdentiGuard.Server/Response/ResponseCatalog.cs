using IdentiGuard.Data.Response;

namespace IdentiGuard.Server.Response;

/// <summary>What each response action does in Okta, in the words the confirmation dialog shows.</summary>
public static class ResponseCatalog
{
    public static IReadOnlyList<ResponseKind> All { get; } = Enum.GetValues<ResponseKind>();

    public static string Label(ResponseKind kind) => kind switch
    {
        ResponseKind.Suspend => "Suspend user",
        ResponseKind.Unsuspend => "Unsuspend user",
        ResponseKind.ClearSessions => "Clear sessions and OAuth tokens",
        ResponseKind.ResetFactors => "Reset all MFA factors",
        ResponseKind.ExpirePassword => "Expire password",
        _ => kind.ToString(),
    };

    public static string PastTense(ResponseKind kind) => kind switch
    {
        ResponseKind.Suspend => "suspended",
        ResponseKind.Unsuspend => "unsuspended",
        ResponseKind.ClearSessions => "cleared the sessions and OAuth tokens of",
        ResponseKind.ResetFactors => "reset all MFA factors of",
        ResponseKind.ExpirePassword => "expired the password of",
        _ => kind.ToString(),
    };

    /// <summary>The Okta request, e.g. <c>POST /api/v1/users/{id}/lifecycle/suspend</c>.</summary>
    public static (HttpMethod Method, string Path) Request(ResponseKind kind, string user)
    {
        var id = Uri.EscapeDataString(user);
        return kind switch
        {
            ResponseKind.Suspend => (HttpMethod.Post, $"/api/v1/users/{id}/lifecycle/suspend"),
            ResponseKind.Unsuspend => (HttpMethod.Post, $"/api/v1/users/{id}/lifecycle/unsuspend"),
            // forgetDevices is explicit: its default differs between Okta Identity Engine (true) and Classic (false).
            ResponseKind.ClearSessions => (HttpMethod.Delete, $"/api/v1/users/{id}/sessions?oauthTokens=true&forgetDevices=true"),
            ResponseKind.ResetFactors => (HttpMethod.Post, $"/api/v1/users/{id}/lifecycle/reset_factors"),
            ResponseKind.ExpirePassword => (HttpMethod.Post, $"/api/v1/users/{id}/lifecycle/expire_password"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>Exactly what will happen, for the confirmation dialog.</summary>
    public static string Consequences(ResponseKind kind, string user, string tenant) => kind switch
    {
        ResponseKind.Suspend =>
            $"Okta sets {user} in {tenant} to SUSPENDED: they cannot sign in until unsuspended. Their groups, app assignments and factors are kept. Only an ACTIVE user can be suspended. You can undo this with Unsuspend.",
        ResponseKind.Unsuspend =>
            $"Okta sets the SUSPENDED user {user} in {tenant} back to ACTIVE: they can sign in again.",
        ResponseKind.ClearSessions =>
            $"Okta ends every Okta session of {user} in {tenant}, revokes their OpenID Connect and OAuth access and refresh tokens, and forgets their remembered devices (their next sign-in asks for MFA). Sessions that apps keep themselves are not ended. This cannot be undone.",
        ResponseKind.ResetFactors =>
            $"Okta unenrolls every MFA factor of {user} in {tenant}; they must enroll factors again at their next sign-in. Their status does not change. This cannot be undone.",
        ResponseKind.ExpirePassword =>
            $"Okta sets {user} in {tenant} to PASSWORD_EXPIRED: they must choose a new password at their next sign-in (for users mastered by Active Directory the AD password is expired too). This cannot be undone from IdentiGuard.",
        _ => kind.ToString(),
    };

    /// <summary>Only a suspension has an Okta reversal (unsuspend); sessions, factors and passwords cannot be restored.</summary>
    public static ResponseKind? Reversal(ResponseKind kind) => kind == ResponseKind.Suspend ? ResponseKind.Unsuspend : null;
}
