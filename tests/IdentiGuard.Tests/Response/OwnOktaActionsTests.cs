using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Detection;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Response;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Response;

/// <summary>
/// An event is IdentiGuard's own when its transaction id is the request id of a call IdentiGuard logged for the same
/// tenant around the event's publish time, even when Okta names a person as its actor.
/// </summary>
public sealed class OwnOktaActionsTests
{
    [Fact]
    public async Task AnEventFromALoggedCall_IsOwn_OthersAreKept()
    {
        await using var org = await TestOrg.StartAsync();
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var loggedAt = DateTime.UtcNow;
        await LogCallAsync(org, tenantId, tenantId, "req-own", loggedAt);
        // A call logged for the workspace, not for this tenant.
        await LogCallAsync(org, tenantId, null, "req-other-tenant", loggedAt);

        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var tenant = await db.Tenants.IgnoreQueryFilters().SingleAsync(t => t.Id == tenantId);
        var batch = new[]
        {
            Event(1, "req-own", loggedAt.AddSeconds(-2)),
            Event(2, "req-admin", loggedAt.AddSeconds(-1)),
            Event(3, "req-other-tenant", loggedAt),
            Event(4, null, loggedAt),
            // The same request id, but published far from the call: not the call's event.
            Event(5, "req-own", loggedAt - OwnOktaActions.ClockMargin - TimeSpan.FromMinutes(5)),
        };

        var kept = await scope.ServiceProvider.GetRequiredService<OwnOktaActions>().WithoutOwnAsync(db, tenant, batch, CancellationToken.None);

        Assert.Equal([2L, 3L, 4L, 5L], kept.Select(e => e.Stored.Id));
        foreach (var e in batch) e.Event.Dispose();
    }

    private static async Task LogCallAsync(TestOrg org, Guid workspaceOf, Guid? tenantId, string requestId, DateTime at)
    {
        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var tenant = await db.Tenants.IgnoreQueryFilters().SingleAsync(t => t.Id == workspaceOf);
        var entry = scope.ServiceProvider.GetRequiredService<ActivityLog>().Entry(tenant.WorkspaceId, tenantId, "response.suspend", ActivityOutcome.Success,
            "Suspended a user.", "it.admin@acme.example", null, requestId, null);
        entry.At = at;
        db.Activity.Add(entry);
        await db.SaveChangesAsync();
    }

    /// <summary>An admin's event (a person as actor), with the given transaction id.</summary>
    private static ParsedEvent Event(long id, string? transactionId, DateTime published)
    {
        var json = $$"""
            {"uuid":"own-test-{{id}}","published":"{{published:O}}","eventType":"user.lifecycle.suspend",
             "actor":{"id":"00uadmin","type":"User","alternateId":"it.admin@acme.example"},
             "client":{"id":null,"ipAddress":"203.0.113.7"},
             "transaction":{{(transactionId is null ? "null" : $$"""{"type":"WEB","id":"{{transactionId}}"}""")}}}
            """;
        var stored = new StoredEvent
        {
            Id = id, Uuid = $"own-test-{id}", EventType = "user.lifecycle.suspend", Published = published, ReceivedAt = published,
            Source = EventSource.Hook, ActorId = "00uadmin", Json = json,
        };
        return new ParsedEvent(stored, OktaEvent.Parse(json));
    }
}
