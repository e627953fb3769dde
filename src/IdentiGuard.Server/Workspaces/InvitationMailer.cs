using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IdentiGuard.Server.Workspaces;

/// <summary>
/// E-mails an invitation link through the product's SMTP settings (<c>IdentiGuard:Support:Smtp</c>). Never throws:
/// the inviter always sees the link once and can pass it on, so a missing or failing mail server loses nothing.
/// </summary>
public sealed partial class InvitationMailer(IOptions<SupportOptions> options, ILogger<InvitationMailer> logger)
{
    public async Task<string> SendAsync(string email, string workspaceName, WorkspaceRole role, string invitedBy, string link, DateTime expiresAt, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host)) return "Not e-mailed (no SMTP server configured): copy the link and send it yourself.";

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(email));
        message.Subject = $"You are invited to the IdentiGuard workspace {workspaceName}";
        message.Body = new TextPart("plain")
        {
            Text = $"""
                {invitedBy} invited you to the IdentiGuard workspace "{workspaceName}" as {role}.

                Open this link to accept (it works once and expires {expiresAt:yyyy-MM-dd HH:mm} UTC):
                {link}

                If you did not expect this invitation, ignore this e-mail.
                """,
        };
        try
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, ct);
            if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(true, ct);
            return $"E-mailed to {email}.";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SendFailed(logger, ex, workspaceName);
            return $"E-mail failed ({ex.GetType().Name}): copy the link and send it yourself.";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An invitation to workspace {Workspace} could not be e-mailed")]
    private static partial void SendFailed(ILogger logger, Exception ex, string workspace);
}
