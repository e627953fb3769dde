using System.Net.Http.Headers;
using System.Text;
using IdentiGuard.Data.Notifications;
using IdentiGuard.Server.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IdentiGuard.Server.Notifications;

/// <summary>One attempt's outcome: retryable failures (network, timeout, 408, 429, 5xx) are tried again with backoff.</summary>
public sealed record DeliveryOutcome(bool Success, bool Retryable, int? HttpStatus, string? Error)
{
    public static DeliveryOutcome Delivered(int? status) => new(true, false, status, null);
}

/// <summary>Sends one notification to one destination, once. Never logs or returns a destination secret.</summary>
public sealed class NotificationSender(HttpClient http, NotificationSecrets secrets, IOptions<NotificationOptions> options,
    IOptions<SupportOptions> support, TimeProvider time)
{
    public async Task<DeliveryOutcome> SendAsync(NotificationDestination destination, NotificationMessage message, long deliveryId, CancellationToken ct)
    {
        try
        {
            return destination.Kind switch
            {
                DestinationKind.Slack => await PostJsonAsync(Target(destination), Payloads.Serialize(Payloads.Slack(message)), null, ct),
                DestinationKind.Teams => await PostJsonAsync(Target(destination), Payloads.Serialize(Payloads.Teams(message)), null, ct),
                DestinationKind.Webhook => await PostWebhookAsync(destination, message, deliveryId, ct),
                DestinationKind.PagerDuty => await PostJsonAsync(options.Value.PagerDutyEventsUrl, Payloads.Serialize(Payloads.PagerDuty(message, Target(destination))), null, ct),
                DestinationKind.Email => await SendEmailAsync(destination, message, ct),
                _ => new DeliveryOutcome(false, false, null, $"Unknown destination kind {destination.Kind}."),
            };
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return new DeliveryOutcome(false, false, null, "The stored destination secret cannot be decrypted (Data Protection keys changed). Enter it again.");
        }
    }

    private string Target(NotificationDestination destination)
        => secrets.Unprotect(destination.TargetProtected ?? throw new InvalidOperationException("The destination has no target."));

    private Task<DeliveryOutcome> PostWebhookAsync(NotificationDestination destination, NotificationMessage message, long deliveryId, CancellationToken ct)
    {
        var body = Payloads.Serialize(destination.Format == PayloadFormat.OcsfDetectionFinding
            ? Payloads.Ocsf(message)
            : Payloads.Webhook(message, deliveryId));
        var headers = new Dictionary<string, string>
        {
            [WebhookSignature.DeliveryHeader] = deliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WebhookSignature.EventHeader] = message.IsTest ? "test" : "alert",
        };
        if (destination.SigningSecretProtected is { } protectedSecret)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            headers[WebhookSignature.TimestampHeader] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers[WebhookSignature.SignatureHeader] = WebhookSignature.Sign(secrets.Unprotect(protectedSecret), timestamp, body);
        }
        return PostJsonAsync(Target(destination), body, headers, ct);
    }

    private async Task<DeliveryOutcome> PostJsonAsync(string url, string body, Dictionary<string, string>? headers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in headers ?? []) request.Headers.TryAddWithoutValidation(name, value);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return DeliveryOutcome.Delivered(status);
            var text = await ReadSnippetAsync(response, timeout.Token);
            var retryable = status is 408 or 429 or >= 500;
            return new DeliveryOutcome(false, retryable, status, $"HTTP {status} {response.ReasonPhrase}{(text.Length > 0 ? ": " + text : "")}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome(false, true, null, $"No response within {options.Value.RequestTimeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex)
        {
            // The message names the host and the socket error, never the URL's path or query (where tokens live).
            return new DeliveryOutcome(false, true, null, $"Could not connect: {ex.HttpRequestError} ({(ex.InnerException ?? ex).Message})");
        }
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = (await response.Content.ReadAsStringAsync(ct)).Trim();
            return text.Length > 300 ? text[..300] + "…" : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return "";
        }
    }

    private async Task<DeliveryOutcome> SendEmailAsync(NotificationDestination destination, NotificationMessage message, CancellationToken ct)
    {
        var smtp = support.Value.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
            return new DeliveryOutcome(false, false, null, "No SMTP server is configured (IdentiGuard__Support__Smtp__Host).");
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var recipient in DestinationRules.Recipients(destination.EmailRecipients)) mail.To.Add(MailboxAddress.Parse(recipient));
        mail.Subject = Payloads.EmailSubject(message);
        mail.Body = new TextPart("plain") { Text = Payloads.EmailText(message) };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.RequestTimeout);
        try
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, timeout.Token);
            if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", timeout.Token);
            await client.SendAsync(mail, timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
            return DeliveryOutcome.Delivered(null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryOutcome(false, true, null, $"The SMTP server did not answer within {options.Value.RequestTimeout.TotalSeconds:0} s.");
        }
        catch (SmtpCommandException ex)
        {
            // 5xx SMTP replies (unknown recipient, relay denied) will not change on retry; 4xx ones may.
            return new DeliveryOutcome(false, (int)ex.StatusCode < 500, null, $"SMTP {(int)ex.StatusCode}: {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or AuthenticationException or SslHandshakeException)
        {
            return new DeliveryOutcome(false, ex is not AuthenticationException, null, $"SMTP: {ex.Message}");
        }
    }

}
