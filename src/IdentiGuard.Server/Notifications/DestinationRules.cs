using System.Net;
using System.Text.RegularExpressions;
using IdentiGuard.Data.Notifications;
using MimeKit;

namespace IdentiGuard.Server.Notifications;

/// <summary>Validation of destination input, and the non-secret hints shown instead of secrets.</summary>
public static partial class DestinationRules
{
    public const int MinSigningSecretLength = 16;

    public static bool NeedsUrl(DestinationKind kind) => kind is DestinationKind.Slack or DestinationKind.Teams or DestinationKind.Webhook;

    public static void Validate(DestinationInput input, NotificationDestination? existing, bool allowInsecureLoopback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
            errors["name"] = ["Give the destination a name of at most 100 characters."];
        if (!Enum.IsDefined(input.Kind)) errors["kind"] = ["Choose Slack, Teams, Webhook, Email or PagerDuty."];
        if (!Enum.IsDefined(input.MinSeverity)) errors["minSeverity"] = ["Unknown severity."];
        var kindChanged = existing is null || existing.Kind != input.Kind;

        if (NeedsUrl(input.Kind))
        {
            if (!string.IsNullOrWhiteSpace(input.Url))
            {
                if (UrlProblem(input.Url.Trim(), allowInsecureLoopback) is { } problem) errors["url"] = [problem];
            }
            else if (kindChanged || existing!.TargetProtected is null)
            {
                errors["url"] = [$"Paste the {input.Kind} webhook URL."];
            }
        }
        if (input.Kind == DestinationKind.PagerDuty)
        {
            if (!string.IsNullOrWhiteSpace(input.RoutingKey))
            {
                if (!RoutingKey().IsMatch(input.RoutingKey.Trim()))
                    errors["routingKey"] = ["A PagerDuty integration (routing) key is 32 letters and digits, from the service's Events API v2 integration."];
            }
            else if (kindChanged || existing!.TargetProtected is null)
            {
                errors["routingKey"] = ["Paste the PagerDuty Events API v2 integration key."];
            }
        }
        if (input.Kind == DestinationKind.Email)
        {
            var recipients = Recipients(input.EmailRecipients);
            if (recipients.Count == 0 || recipients.Count > 20)
                errors["emailRecipients"] = ["Give one to 20 e-mail addresses, separated by commas."];
            else if (recipients.FirstOrDefault(r => !MailboxAddress.TryParse(r, out var m) || !m.Address.Contains('@')) is { } bad)
                errors["emailRecipients"] = [$"\"{bad}\" is not an e-mail address."];
        }
        if (input.Kind == DestinationKind.Webhook && !string.IsNullOrEmpty(input.SigningSecret) && input.SigningSecret.Length < MinSigningSecretLength)
            errors["signingSecret"] = [$"The signing secret must be at least {MinSigningSecretLength} characters (leave it empty to have one generated)."];
        if (input.Format == PayloadFormat.OcsfDetectionFinding && input.Kind != DestinationKind.Webhook)
            errors["format"] = ["The OCSF Detection Finding format is sent through a generic webhook destination."];
        if (!Enum.IsDefined(input.Format)) errors["format"] = ["Unknown payload format."];
        if (input.RuleIds is { } rules && (rules.Count > 200 || rules.Any(r => string.IsNullOrWhiteSpace(r) || r.Length > 200)))
            errors["ruleIds"] = ["Rule ids must be non-empty, at most 200 characters, and at most 200 of them."];
    }

    /// <summary>HTTPS only (a webhook URL is a credential); plain HTTP only to loopback when allowed (tests).</summary>
    public static string? UrlProblem(string url, bool allowInsecureLoopback)
    {
        if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "Enter an absolute URL.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "The URL must not contain a user name or password.";
        if (uri.Scheme == Uri.UriSchemeHttps) return null;
        if (uri.Scheme == Uri.UriSchemeHttp && allowInsecureLoopback && (uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))) return null;
        return "The URL must start with https:// (it carries the destination's credentials).";
    }

    /// <summary>What the UI shows instead of the secret: the URL's origin, or the routing key's last four characters.</summary>
    public static string Hint(DestinationKind kind, string secret)
        => kind == DestinationKind.PagerDuty
            ? $"…{secret[^Math.Min(4, secret.Length)..]}"
            : Uri.TryCreate(secret, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "(set)";

    public static IReadOnlyList<string> Recipients(string? text)
        => (text ?? "").Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    [GeneratedRegex("^[A-Za-z0-9]{20,64}$")]
    private static partial Regex RoutingKey();
}
