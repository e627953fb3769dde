using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Suppression;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Data.Triage;

/// <summary>Model configuration of triage, saved views and suppression (one call from the context).</summary>
internal static class TriageModel
{
    public static void Configure(ModelBuilder builder)
    {
        builder.Entity<Alert>(e =>
        {
            e.Property(a => a.StatusReason).HasMaxLength(1000);
            e.HasIndex(a => new { a.WorkspaceId, a.Status });
            e.HasIndex(a => new { a.WorkspaceId, a.AssigneeId });
        });
        builder.Entity<AlertHistoryEntry>(e =>
        {
            e.HasIndex(h => new { h.AlertId, h.Id });
            e.Property(h => h.Actor).HasMaxLength(300);
            e.Property(h => h.Action).HasMaxLength(100);
            e.Property(h => h.Before).HasMaxLength(1000);
            e.Property(h => h.After).HasMaxLength(1000);
            e.Property(h => h.Comment).HasMaxLength(4000);
            e.Property(h => h.OktaRequestId).HasMaxLength(100);
            // History goes with its alert (alerts are only deleted with their tenant's data).
            e.HasOne<Alert>().WithMany().HasForeignKey(h => h.AlertId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<SavedAlertView>(e =>
        {
            e.HasIndex(v => new { v.WorkspaceId, v.UserId, v.Name }).IsUnique();
            e.Property(v => v.Name).HasMaxLength(100);
            e.Property(v => v.FilterJson).HasMaxLength(4000);
        });
        builder.Entity<SuppressionEntry>(e =>
        {
            e.HasIndex(s => new { s.WorkspaceId, s.ExpiresAt });
            e.Property(s => s.RuleId).HasMaxLength(200);
            e.Property(s => s.User).HasMaxLength(200);
            e.Property(s => s.Group).HasMaxLength(200);
            e.Property(s => s.IpCidr).HasMaxLength(50);
            e.Property(s => s.Country).HasMaxLength(100);
            e.Property(s => s.Reason).HasMaxLength(1000);
            e.Property(s => s.CreatedBy).HasMaxLength(300);
        });
    }
}
