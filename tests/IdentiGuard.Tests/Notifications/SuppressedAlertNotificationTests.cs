using System.Net;
using System.Net.Http.Json;
using IdentiGuard.Data;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static IdentiGuard.Tests.Notifications.NotificationTests;

namespace IdentiGuard.Tests.Notifications;

/// <summary>
/// An alert a suppression entry matched notifies no destination, and the dispatch record keeps why, until an event no
/// entry matches joins it.
/// </summary>
public sealed class SuppressedAlertNotificationTests
{
    [Fact]
    public async Task ASuppressedAlert_ProducesNoDelivery_WhileAnUnsuppressedOneIsSent()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var org = await TestOrg.StartAsync(Settings(receiver));
        var (destination, _) = await SlackAndQuietAdminSuppressedAsync(org, receiver);

        await org.Okta.EmitAsync(AdminSuspends("suppressed-1", "quiet.admin@acme.example"));
        await org.Okta.EmitAsync(AdminSuspends("visible-1", "loud.admin@acme.example"));
        await org.Okta.WhenDeliveriesIdleAsync();

        // Both alerts exist (the suppressed one hidden from the default list) and both were routed by the dispatcher.
        var dispatches = await TestOrg.EventuallyAsync(() => DispatchesAsync(org), d => d.Count == 2, TimeSpan.FromSeconds(60));
        var suppressed = Assert.Single(dispatches, d => d.IsSuppressed);
        var visible = Assert.Single(dispatches, d => !d.IsSuppressed);
        Assert.StartsWith("suppressed", suppressed.SkippedReason);
        Assert.Equal(0, suppressed.Deliveries);
        Assert.Null(visible.SkippedReason);

        await TestOrg.EventuallyAsync(() => Task.FromResult(receiver.At("/slack/T000/B000/XXXX").Count), n => n > 0, TimeSpan.FromSeconds(60));
        var deliveries = await DeliveriesAsync(org, destination);
        var delivered = Assert.Single(deliveries);
        Assert.Equal(visible.AlertId, delivered.GetProperty("alertId").GetGuid());
        var post = Assert.Single(receiver.At("/slack/T000/B000/XXXX"));
        Assert.Contains("loud.admin@acme.example", post.Body);
        Assert.DoesNotContain("quiet.admin@acme.example", post.Body);
    }

    [Fact]
    public async Task ASuppressedAlert_ThatAnUnsuppressedEventJoins_IsNotifiedOnce()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        await using var org = await TestOrg.StartAsync(Settings(receiver));
        var (destination, suppressionId) = await SlackAndQuietAdminSuppressedAsync(org, receiver);

        await org.Okta.EmitAsync(AdminSuspends("quiet-1", "quiet.admin@acme.example"));
        await org.Okta.WhenDeliveriesIdleAsync();
        var skipped = Assert.Single(await TestOrg.EventuallyAsync(() => DispatchesAsync(org), d => d.Count == 1, TimeSpan.FromSeconds(60)));
        Assert.StartsWith("suppressed", skipped.SkippedReason);

        // The exception ends; the same admin suspends another user within the grouping window: the alert is visible now.
        Assert.Equal(HttpStatusCode.OK, (await org.App.Api.PostAsync(org.App.WorkspacePath($"/suppressions/{suppressionId}/expire"), null)).StatusCode);
        await org.Okta.EmitAsync(AdminSuspends("quiet-2", "quiet.admin@acme.example"));
        await org.Okta.WhenDeliveriesIdleAsync();

        await TestOrg.EventuallyAsync(() => Task.FromResult(receiver.At("/slack/T000/B000/XXXX").Count), n => n > 0, TimeSpan.FromSeconds(60));
        await Task.Delay(1000); // any second notification would arrive meanwhile
        var post = Assert.Single(receiver.At("/slack/T000/B000/XXXX"));
        Assert.Contains("quiet.admin@acme.example", post.Body);
        var routed = Assert.Single(await DispatchesAsync(org));
        Assert.Equal(skipped.AlertId, routed.AlertId);
        Assert.False(routed.IsSuppressed);
        Assert.Null(routed.SkippedReason);
        Assert.Equal(1, routed.Deliveries);
        Assert.Equal(skipped.AlertId, Assert.Single(await DeliveriesAsync(org, destination)).GetProperty("alertId").GetGuid());
    }

    /// <summary>A connected tenant, a Slack destination for every alert, and quiet.admin's suspensions suppressed.</summary>
    private static async Task<(Guid Destination, Guid Suppression)> SlackAndQuietAdminSuppressedAsync(TestOrg org, HttpReceiver receiver)
    {
        await org.ConnectedTenantAsync();
        var destination = await CreateDestinationAsync(org, new { name = "SOC Slack", kind = "Slack", url = receiver.BaseUrl + "/slack/T000/B000/XXXX", minSeverity = "Informational" });
        var created = await org.App.Api.PostAsJsonAsync(org.App.WorkspacePath("/suppressions"), new
        {
            ruleId = "user.lifecycle.suspend", user = "quiet.admin@acme.example", reason = "Scheduled offboarding by the service desk", expiresAt = DateTime.UtcNow.AddDays(1),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (destination, (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid());
    }

    private sealed record Dispatch(Guid AlertId, bool IsSuppressed, string? SkippedReason, int Deliveries);

    private static async Task<List<Dispatch>> DispatchesAsync(TestOrg org)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        return await db.AlertDispatches.IgnoreQueryFilters()
            .Join(db.Alerts.IgnoreQueryFilters(), d => d.AlertId, a => a.Id, (d, a) => new Dispatch(a.Id, a.IsSuppressed, d.SkippedReason, d.Deliveries))
            .ToListAsync();
    }
}
