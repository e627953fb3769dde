using IdentiGuard.Data;
using IdentiGuard.Data.Polling;
using IdentiGuard.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Polling;

/// <summary>A held poller lease: its owner and the fencing token every checkpoint write is conditioned on.</summary>
public sealed record LeaseHandle(Guid TenantId, string Owner, long FencingToken, DateTime ExpiresAt);

/// <summary>
/// The database lease with fencing behind "exactly one poller per tenant". Orleans gives one activation per tenant, but
/// can briefly run two during cluster changes: whoever acquires increments <see cref="PollCheckpoint.FencingToken"/>,
/// and every later write of the checkpoint is <c>UPDATE … WHERE FencingToken = mine</c>, so a stale poller's write
/// affects no row and it stops.
/// </summary>
public sealed class PollLease(IDbContextFactory<IdentiGuardDbContext> dbFactory, WriteTurns turns, TimeProvider time)
{
    /// <summary>
    /// Creates the tenant's checkpoint if missing (polling then starts at <paramref name="startAt"/>) and takes the lease
    /// when it is free, expired or already this owner's. Null when another owner holds it (or the tenant is gone).
    /// </summary>
    public async Task<LeaseHandle?> TryAcquireAsync(Guid tenantId, string owner, TimeSpan duration, DateTime startAt, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var row = await db.PollCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId, ct);
        if (row is null)
        {
            if (!await CreateAsync(db, tenantId, startAt, ct)) return null;
            row = await db.PollCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId, ct);
            if (row is null) return null;
        }
        if (row.LeaseOwner is not null && row.LeaseOwner != owner && row.LeaseExpiresAt > now) return null;

        var token = row.FencingToken + 1;
        var expires = now + duration;
        // Compare-and-set on the token read above: of two simultaneous acquirers only one matches.
        var updated = await Write(() => db.PollCheckpoints.Where(c => c.TenantId == tenantId && c.FencingToken == row.FencingToken)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.FencingToken, token)
                .SetProperty(c => c.LeaseOwner, owner)
                .SetProperty(c => c.LeaseExpiresAt, expires)
                .SetProperty(c => c.UpdatedAt, now), ct));
        return updated == 1 ? new LeaseHandle(tenantId, owner, token, expires) : null;
    }

    /// <summary>Creates the checkpoint row unless it exists; false when the tenant does not exist.</summary>
    public async Task<bool> EnsureCheckpointAsync(Guid tenantId, DateTime startAt, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PollCheckpoints.AnyAsync(c => c.TenantId == tenantId, ct) || await CreateAsync(db, tenantId, startAt, ct);
    }

    /// <summary>Extends the lease; null when it was fenced off by another acquisition.</summary>
    public async Task<LeaseHandle?> RenewAsync(LeaseHandle lease, TimeSpan duration, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var expires = now + duration;
        var updated = await Write(() => Fenced(db, lease).ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseExpiresAt, expires).SetProperty(c => c.UpdatedAt, now), ct));
        return updated == 1 ? lease with { ExpiresAt = expires } : null;
    }

    public async Task<PollCheckpoint?> ReadAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PollCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId, ct);
    }

    /// <summary>
    /// Persists the next link after its page's events were stored, and extends the lease. Null when the lease was
    /// fenced off: nothing was written and the caller must stop polling.
    /// </summary>
    /// <param name="newestPublished">The newest publish time among the page's events (null for an empty page).</param>
    public async Task<LeaseHandle?> SaveCheckpointAsync(LeaseHandle lease, string nextUrl, int events, DateTime? newestPublished, TimeSpan duration, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var expires = now + duration;
        var updated = await Write(() => Fenced(db, lease).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.NextUrl, nextUrl)
            .SetProperty(c => c.LastPolledAt, now)
            .SetProperty(c => c.EventsPolled, c => c.EventsPolled + events)
            .SetProperty(c => c.NewestPolledPublished, c => newestPublished == null || c.NewestPolledPublished > newestPublished ? c.NewestPolledPublished : newestPublished)
            .SetProperty(c => c.LeaseExpiresAt, expires)
            .SetProperty(c => c.UpdatedAt, now), ct));
        return updated == 1 ? lease with { ExpiresAt = expires } : null;
    }

    /// <summary>Records a poll that returned no new link (nothing to move), still fenced.</summary>
    public async Task<bool> TouchAsync(LeaseHandle lease, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        return await Write(() => Fenced(db, lease).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastPolledAt, now), ct)) == 1;
    }

    /// <summary>Lets the next poller take over at once (graceful stop); a fenced-off lease releases nothing.</summary>
    public async Task ReleaseAsync(LeaseHandle lease, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await Write(() => Fenced(db, lease).ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseOwner, (string?)null).SetProperty(c => c.LeaseExpiresAt, (DateTime?)null), ct));
    }

    /// <summary>The backfill row of the lease's tenant, writable only while the lease holds (the same fencing token).</summary>
    public static IQueryable<BackfillState> FencedBackfill(IdentiGuardDbContext db, LeaseHandle lease)
        => db.Backfills.Where(b => b.TenantId == lease.TenantId
            && db.PollCheckpoints.Any(c => c.TenantId == lease.TenantId && c.FencingToken == lease.FencingToken && c.LeaseOwner == lease.Owner));

    private static IQueryable<PollCheckpoint> Fenced(IdentiGuardDbContext db, LeaseHandle lease)
        => db.PollCheckpoints.Where(c => c.TenantId == lease.TenantId && c.FencingToken == lease.FencingToken && c.LeaseOwner == lease.Owner);

    private async Task<bool> CreateAsync(IdentiGuardDbContext db, Guid tenantId, DateTime startAt, CancellationToken ct)
    {
        if (!await db.Tenants.IgnoreQueryFilters().AnyAsync(t => t.Id == tenantId, ct)) return false;
        db.PollCheckpoints.Add(new PollCheckpoint { TenantId = tenantId, StartAt = startAt, UpdatedAt = Now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Created concurrently (or the tenant was deleted meanwhile): re-read decides.
        }
        db.ChangeTracker.Clear();
        return await db.PollCheckpoints.AnyAsync(c => c.TenantId == tenantId, ct);
    }

    /// <summary>The lease's writes take their turn at SQLite's write lock (<see cref="WriteTurns"/>), as processing does.</summary>
    public Task<int> Write(Func<Task<int>> update) => turns.WriteAsync(WriteTurns.Writer.Processing, update);

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
