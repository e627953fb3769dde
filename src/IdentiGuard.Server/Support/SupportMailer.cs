using IdentiGuard.Data.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IdentiGuard.Server.Support;

/// <summary>Sends a support request to the configured destination over SMTP. Never throws: the stored copy is what counts.</summary>
public sealed partial class SupportMailer(IOptions<SupportOptions> options, ILogger<SupportMailer> logger)
{
    public async Task<string> SendAsync(SupportRequest request, CancellationToken ct)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.DestinationEmail) || string.IsNullOrWhiteSpace(settings.Smtp.Host)) return "Saved (no support e-mail configured)";

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.Smtp.From));
        message.To.Add(MailboxAddress.Parse(settings.DestinationEmail));
        message.ReplyTo.Add(MailboxAddress.Parse(request.ContactEmail));
        message.Subject = $"[{request.Reference}] {request.Subject}";
        message.Body = new TextPart("plain")
        {
            Text = $"""
                Reference: {request.Reference}
                Workspace: {request.WorkspaceName}
                Contact: {request.ContactEmail}
                Okta request IDs: {request.OktaRequestIds}

                {request.Description}

                --- Diagnostic summary (secrets redacted) ---
                {request.Diagnostics ?? "(not attached)"}
                """,
        };
        try
        {
            using var smtp = new SmtpClient();
            await smtp.ConnectAsync(settings.Smtp.Host, settings.Smtp.Port, settings.Smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, ct);
            if (!string.IsNullOrEmpty(settings.Smtp.Username)) await smtp.AuthenticateAsync(settings.Smtp.Username, settings.Smtp.Password ?? "", ct);
            await smtp.SendAsync(message, ct);
            await smtp.DisconnectAsync(true, ct);
            return $"Sent to {settings.DestinationEmail}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SendFailed(logger, ex, request.Reference);
            return $"Saved; sending failed ({ex.GetType().Name})";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Support request {Reference} could not be e-mailed")]
    private static partial void SendFailed(ILogger logger, Exception ex, string reference);
}
