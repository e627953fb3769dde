using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Activity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace IdentiGuard.Data.Workspaces;

/// <summary>Model configuration and save-time rules for memberships, invitations, API tokens and the audit trail.</summary>
public static class AccessControlModel
{
    public static void ConfigureAccessControl(this ModelBuilder builder)
    {
        builder.Entity<WorkspaceInvitation>(e =>
        {
            e.HasIndex(i => i.TokenHash).IsUnique();
            e.HasIndex(i => new { i.WorkspaceId, i.CreatedAt });
            e.Property(i => i.Email).HasMaxLength(256);
            e.Property(i => i.InvitedBy).HasMaxLength(256);
            e.Property(i => i.TokenHash).HasMaxLength(32);
        });
        builder.Entity<ApiToken>(e => e.HasIndex(t => new { t.UserId, t.WorkspaceId }));
        builder.Entity<ActivityEntry>(e =>
        {
            e.Property(a => a.Before).HasMaxLength(4000);
            e.Property(a => a.After).HasMaxLength(4000);
        });
    }

    /// <summary>
    /// The activity log is append-only from the product: a save that would change or remove an entry is refused
    /// before anything reaches the database. (Retention of whole workspaces is done with bulk deletes by operators.)
    /// </summary>
    public static void RefuseActivityRewrites(ChangeTracker tracker)
    {
        foreach (var entry in tracker.Entries<ActivityEntry>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
                throw new InvalidOperationException($"The activity log is append-only: entry {entry.Entity.Id} cannot be {(entry.State == EntityState.Deleted ? "deleted" : "changed")}.");
        }
    }
}
