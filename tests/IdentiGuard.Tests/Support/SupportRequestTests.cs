using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Infrastructure;
using MimeKit;

namespace IdentiGuard.Tests.Support;

/// <summary>"Need more help?": a request is kept, and mailed to the support destination with a redacted diagnostic summary.</summary>
public sealed class SupportRequestTests
{
    private const string SupportDesk = "support@identiguard.example";

    [Fact]
    public async Task ASupportRequest_IsKeptAndMailed_WithTheTenantsDiagnosticsAndNoSecret()
    {
        await using var smtp = SmtpReceiver.Start();
        var settings = smtp.Settings();
        settings["IdentiGuard:Support:DestinationEmail"] = SupportDesk;
        await using var org = await TestOrg.StartAsync(settings);
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        var ticket = await SubmitAsync(org, tenantId);

        Assert.Equal($"Sent to {SupportDesk}", ticket.GetProperty("deliveryStatus").GetString());
        var reference = ticket.GetProperty("reference").GetString();
        var (recipients, message) = Assert.Single(smtp.Received);
        Assert.Equal([SupportDesk], recipients);
        Assert.Equal($"[{reference}] Hook deliveries stopped", message.Subject);
        Assert.Equal("soc.lead@acme.example", Assert.Single(message.ReplyTo.Mailboxes).Address);
        var body = message.TextBody;
        Assert.Contains("No alerts since this morning.", body);
        Assert.Contains("Okta request IDs: req-abc123", body);
        Assert.Contains($"Okta domain: {org.Okta.BaseUrl}", body);
        Assert.Contains($"Client ID: {org.Okta.SeedClient.ClientId}", body);
        Assert.Contains("Client Secret: [redacted]", body);
        Assert.DoesNotContain(org.Okta.SeedClient.ClientSecret, body);

        // The stored copy, with the same summary, is what the workspace's list shows.
        var kept = Assert.Single((await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/support"))).EnumerateArray());
        Assert.Equal(reference, kept.GetProperty("reference").GetString());
        Assert.Contains("Client Secret: [redacted]", kept.GetProperty("diagnostics").GetString());
    }

    [Fact]
    public async Task ARequest_TheMailRelayRefuses_IsStillKept_AndSaysSendingFailed()
    {
        // The settings of a receiver that has stopped: a port nobody listens on, the relay is down.
        Dictionary<string, string?> settings;
        await using (var stopped = SmtpReceiver.Start()) settings = stopped.Settings();
        settings["IdentiGuard:Support:DestinationEmail"] = SupportDesk;
        await using var org = await TestOrg.StartAsync(settings);
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();

        var ticket = await SubmitAsync(org, tenantId);

        Assert.StartsWith("Saved; sending failed", ticket.GetProperty("deliveryStatus").GetString());
        var kept = Assert.Single((await org.App.Api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/support"))).EnumerateArray());
        Assert.Equal(ticket.GetProperty("reference").GetString(), kept.GetProperty("reference").GetString());
        Assert.Equal("No alerts since this morning.", kept.GetProperty("description").GetString());
    }

    private static async Task<JsonElement> SubmitAsync(TestOrg org, Guid tenantId)
    {
        var response = await org.App.Api.PostAsJsonAsync(org.App.WorkspacePath("/support"), new
        {
            subject = "Hook deliveries stopped", description = "No alerts since this morning.", oktaRequestIds = "req-abc123",
            contactEmail = "soc.lead@acme.example", tenantId, attachDiagnostics = true,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement;
    }
}
