using System.Text.Json;
using IdentiGuard.Tests.Infrastructure;
using static IdentiGuard.Tests.Notifications.NotificationTests;

namespace IdentiGuard.Tests.Notifications;

/// <summary>An e-mail destination: an alert reaches every recipient through the configured mail relay.</summary>
public sealed class EmailNotificationTests
{
    [Fact]
    public async Task AnAlert_IsMailedToEveryRecipient_AndLoggedAsDelivered()
    {
        await using var smtp = SmtpReceiver.Start();
        await using var receiver = await HttpReceiver.StartAsync();
        var settings = Settings(receiver);
        foreach (var (key, value) in smtp.Settings()) settings[key] = value;
        await using var org = await TestOrg.StartAsync(settings);
        await org.ConnectedTenantAsync();
        var destination = await CreateDestinationAsync(org, new
        {
            name = "SOC mailbox", kind = "Email", emailRecipients = "soc@acme.example, oncall@acme.example", minSeverity = "Informational",
        });

        await org.Okta.EmitAsync(AdminSuspends("mail-1", "mailing.admin@acme.example"));
        await org.Okta.WhenDeliveriesIdleAsync();

        var log = await TestOrg.EventuallyAsync(() => DeliveriesAsync(org, destination),
            l => l.Count == 1 && l[0].GetProperty("status").GetString() != "Pending", TimeSpan.FromSeconds(60));
        Assert.Equal("Delivered", Assert.Single(log).GetProperty("status").GetString());
        var (recipients, message) = Assert.Single(smtp.Received);
        Assert.Equal(["soc@acme.example", "oncall@acme.example"], recipients);
        Assert.Equal("identiguard@acme.example", Assert.Single(message.From.Mailboxes).Address);
        Assert.StartsWith("[IdentiGuard] ", message.Subject);
        Assert.Contains("Suspend Okta user", message.TextBody);
        Assert.Contains("mailing.admin@acme.example", message.TextBody);
        Assert.Contains("user.lifecycle.suspend", message.TextBody);
    }
}
