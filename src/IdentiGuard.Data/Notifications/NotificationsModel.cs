using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Response;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Data.Notifications;

/// <summary>Model configuration of the notification and response entities (called once from the DbContext).</summary>
internal static class NotificationsModel
{
    public static void Configure(ModelBuilder builder)
    {
        builder.Entity<NotificationDestination>(e =>
        {
            e.HasIndex(d => d.WorkspaceId);
            e.Property(d => d.Name).HasMaxLength(100);
            e.Property(d => d.TargetHint).HasMaxLength(200);
            e.Property(d => d.EmailRecipients).HasMaxLength(1000);
        });
        builder.Entity<NotificationDelivery>(e =>
        {
            e.HasIndex(d => new { d.Status, d.NextAttemptAt });
            e.HasIndex(d => new { d.DestinationId, d.Id });
            e.HasIndex(d => d.AlertId);
            e.Property(d => d.LastError).HasMaxLength(1000);
            e.Property(d => d.LeaseOwner).HasMaxLength(200);
            e.HasOne<NotificationDestination>().WithMany().HasForeignKey(d => d.DestinationId).OnDelete(DeleteBehavior.Cascade);
        });
        // The dispatcher looks for recent alerts without a dispatch row on every pass.
        builder.Entity<Alert>().HasIndex(a => a.CreatedAt);
        builder.Entity<AlertDispatch>(e =>
        {
            e.HasKey(d => d.AlertId);
            e.Property(d => d.SkippedReason).HasMaxLength(200);
            // The alerts skipped because they were suppressed, which the dispatcher checks on every pass for one that
            // became visible: few rows, where a scan of every dispatch would grow with all alerts ever raised.
            e.HasIndex(d => d.AlertId, "IX_AlertDispatches_Suppressed").HasFilter($"\"SkippedReason\" LIKE '{AlertDispatch.SuppressedPattern}'");
            e.HasOne<Alert>().WithOne().HasForeignKey<AlertDispatch>(d => d.AlertId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<ResponseAction>(e =>
        {
            e.HasIndex(a => new { a.WorkspaceId, a.RequestedAt });
            e.HasIndex(a => a.AlertId);
            e.HasIndex(a => a.Status);
            e.Property(a => a.TargetUser).HasMaxLength(300);
            e.Property(a => a.RequestedBy).HasMaxLength(300);
            e.Property(a => a.DecidedBy).HasMaxLength(300);
            e.Property(a => a.Reason).HasMaxLength(1000);
            e.Property(a => a.OktaRequestId).HasMaxLength(100);
            e.Property(a => a.OktaErrorCode).HasMaxLength(100);
            e.Property(a => a.Result).HasMaxLength(2000);
        });
        builder.Entity<ResponseSettings>(e => e.HasKey(s => s.WorkspaceId));
        builder.Entity<AutomaticResponse>(e =>
        {
            e.HasKey(r => new { r.WorkspaceId, r.RuleId });
            e.Property(r => r.RuleId).HasMaxLength(200);
        });
    }
}
