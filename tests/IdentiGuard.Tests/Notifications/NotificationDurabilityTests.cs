using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Notifications;

public sealed class NotificationDurabilityTests
{
    [Fact]
    public async Task APendingDelivery_SurvivesARestart_AndIsDeliveredOnce()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var up = false;
        receiver.Status = (_, _) => Volatile.Read(ref up) ? 200 : 503;
        var settings = NotificationTests.Settings(receiver);
        settings["IdentiGuard:Notifications:MaxAttempts"] = "50";
        await using var org = await TestOrg.StartAsync(settings);
        await org.ConnectedTenantAsync();
        var destination = await NotificationTests.CreateDestinationAsync(org, new { name = "SIEM", kind = "Webhook", url = receiver.BaseUrl + "/siem", minSeverity = "Informational" });
        await org.Okta.EmitAsync(NotificationTests.AdminSuspends("durable-1"));
        await org.Okta.WhenDeliveriesIdleAsync();
        var failing = await TestOrg.EventuallyAsync(() => NotificationTests.DeliveriesAsync(org, destination),
            l => l.Count == 1 && l[0].GetProperty("attempts").GetInt32() >= 1, TimeSpan.FromSeconds(60));
        Assert.Equal("Pending", failing[0].GetProperty("status").GetString());
        Assert.Equal(503, failing[0].GetProperty("lastHttpStatus").GetInt32());

        await org.RestartAppAsync();
        Volatile.Write(ref up, true);

        var delivered = await TestOrg.EventuallyAsync(() => NotificationTests.DeliveriesAsync(org, destination),
            l => l.Count == 1 && l[0].GetProperty("status").GetString() == "Delivered", TimeSpan.FromSeconds(60));
        var entry = Assert.Single(delivered);
        Assert.Equal("Delivered", entry.GetProperty("status").GetString());
        await Task.Delay(1500);
        var posts = receiver.At("/siem");
        Assert.Equal(entry.GetProperty("attempts").GetInt32(), posts.Count);
        Assert.Single(posts.Select(p => p.Header("X-IdentiGuard-Delivery")).Distinct());
        // Exactly one attempt was answered with success: nothing was sent again after it.
        Assert.Equal(200, entry.GetProperty("lastHttpStatus").GetInt32());
    }
}
