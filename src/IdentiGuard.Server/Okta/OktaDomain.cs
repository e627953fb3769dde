using System.Net;

namespace IdentiGuard.Server.Okta;

/// <summary>Turns what an admin pastes into the <c>Domain URL</c> field into the org's origin, or says what is wrong.</summary>
public static class OktaDomain
{
    public static bool TryNormalize(string? input, bool allowInsecureLoopback, out string origin, out string error)
    {
        origin = "";
        error = "";
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "Enter your Okta domain, for example acme.okta.com.";
            return false;
        }
        if (!text.Contains("://", StringComparison.Ordinal)) text = "https://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || uri.Host.Contains(' '))
        {
            error = "That is not a domain. Enter your Okta domain, for example acme.okta.com.";
            return false;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        var firstLabel = host.Split('.')[0];
        if (firstLabel.EndsWith("-admin", StringComparison.Ordinal))
        {
            var orgHost = firstLabel[..^"-admin".Length] + host[firstLabel.Length..];
            error = $"{host} is the Okta Admin Console address. Use your org's domain instead: {orgHost} (without \"-admin\").";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            error = "Remove the user name and password from the domain.";
            return false;
        }
        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            if (!(allowInsecureLoopback && IsLoopback(host)))
            {
                error = "Okta domains use HTTPS. Enter the domain as https://… or without a scheme.";
                return false;
            }
        }
        else if (uri.Scheme != Uri.UriSchemeHttps)
        {
            error = "Okta domains use HTTPS. Enter the domain as https://… or without a scheme.";
            return false;
        }
        // A pasted page address (…/app/UserHome) is fine: only the origin matters.
        origin = uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
        return true;
    }

    public static bool IsLoopback(string host)
        => host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
