namespace IdentiGuard.Server.Accounts;

public static class ReturnUrls
{
    /// <summary>Only same-site relative paths; anything else would be an open redirect.</summary>
    public static string Safe(string? returnUrl)
        => !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/";
}
