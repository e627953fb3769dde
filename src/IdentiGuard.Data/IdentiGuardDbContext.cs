using System.Linq.Expressions;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Detection;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Data.Notifications;
using IdentiGuard.Data.Polling;
using IdentiGuard.Data.Response;
using IdentiGuard.Data.Support;
using IdentiGuard.Data.Suppression;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Data.Triage;
using IdentiGuard.Data.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentiGuard.Data;

public sealed class IdentiGuardDbContext(DbContextOptions<IdentiGuardDbContext> options, IWorkspaceScope workspaceScope)
    : IdentityDbContext<AppUser, IdentityRole<Guid>, Guid>(options)
{
    /// <summary>Read by the global query filters on every query (EF parameterises it per context instance).</summary>
    public Guid? CurrentWorkspaceId => workspaceScope.WorkspaceId;

    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<WorkspaceMember> WorkspaceMembers => Set<WorkspaceMember>();
    public DbSet<WorkspaceInvitation> WorkspaceInvitations => Set<WorkspaceInvitation>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<TenantHook> TenantHooks => Set<TenantHook>();
    public DbSet<StoredEvent> Events => Set<StoredEvent>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AlertEvent> AlertEvents => Set<AlertEvent>();
    public DbSet<ActivityEntry> Activity => Set<ActivityEntry>();
    public DbSet<SupportRequest> SupportRequests => Set<SupportRequest>();
    public DbSet<FirstSeenValue> FirstSeenValues => Set<FirstSeenValue>();
    public DbSet<RuleSetting> RuleSettings => Set<RuleSetting>();
    public DbSet<CustomRule> CustomRules => Set<CustomRule>();
    public DbSet<PollCheckpoint> PollCheckpoints => Set<PollCheckpoint>();
    public DbSet<ArrivalCount> ArrivalCounts => Set<ArrivalCount>();
    public DbSet<BackfillState> Backfills => Set<BackfillState>();
    public DbSet<AlertHistoryEntry> AlertHistory => Set<AlertHistoryEntry>();
    public DbSet<SavedAlertView> SavedAlertViews => Set<SavedAlertView>();
    public DbSet<SuppressionEntry> Suppressions => Set<SuppressionEntry>();
    public DbSet<NotificationDestination> NotificationDestinations => Set<NotificationDestination>();
    public DbSet<NotificationDelivery> NotificationDeliveries => Set<NotificationDelivery>();
    public DbSet<AlertDispatch> AlertDispatches => Set<AlertDispatch>();
    public DbSet<ResponseAction> ResponseActions => Set<ResponseAction>();
    public DbSet<ResponseSettings> ResponseSettings => Set<ResponseSettings>();
    public DbSet<AutomaticResponse> AutomaticResponses => Set<AutomaticResponse>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Workspace>(e =>
        {
            e.Property(w => w.Name).HasMaxLength(100);
            e.Property(w => w.EventRetentionDays).HasDefaultValue(90);
        });
        builder.Entity<WorkspaceMember>(e =>
        {
            e.HasKey(m => new { m.WorkspaceId, m.UserId });
            e.HasIndex(m => m.UserId);
        });
        builder.Entity<ApiToken>(e =>
        {
            e.HasIndex(t => t.Prefix).IsUnique();
            e.Property(t => t.Name).HasMaxLength(100);
        });
        builder.Entity<Tenant>(e =>
        {
            e.Property(t => t.Name).HasMaxLength(200);
            e.Property(t => t.DomainUrl).HasMaxLength(300);
            e.Property(t => t.ClientId).HasMaxLength(200);
            e.HasIndex(t => t.WorkspaceId);
            e.HasMany(t => t.Hooks).WithOne().HasForeignKey(h => h.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<StoredEvent>(e =>
        {
            // The deduplication key. A redelivery of an event (a hook retry, a poll overlapping the hook) carries its uuid
            // and its publish time, and leading with the publish time keeps the index append-mostly: keyed by uuid alone,
            // each new event dirtied a random leaf page, nearly half of what SQLite's log wrote (docs/benchmarks.md).
            e.HasIndex(x => new { x.TenantId, x.Published, x.Uuid }).IsUnique();
            e.HasIndex(x => new { x.TenantId, x.Id });
            e.HasIndex(x => new { x.WorkspaceId, x.Published });
            e.Property(x => x.Uuid).HasMaxLength(100);
            e.Property(x => x.EventType).HasMaxLength(200);
        });
        builder.Entity<Alert>(e =>
        {
            e.HasIndex(a => new { a.TenantId, a.GroupKey }).IsUnique();
            e.HasIndex(a => new { a.WorkspaceId, a.LastSeen });
            // One tenant's alerts, newest first (a tenant's alert list; an MSSP's workspace holds many tenants).
            e.HasIndex(a => new { a.TenantId, a.LastSeen });
            e.HasMany(a => a.Events).WithOne().HasForeignKey(x => x.AlertId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<AlertEvent>(e =>
        {
            e.HasKey(x => new { x.AlertId, x.StoredEventId });
            // Retention keeps events an alert references.
            e.HasIndex(x => x.StoredEventId);
        });
        builder.Entity<ActivityEntry>(e =>
        {
            e.HasIndex(a => new { a.WorkspaceId, a.At });
            // IdentiGuard's own Okta calls of a tenant by time (OwnOktaActions). Partial: most entries (one per hook
            // delivery) have no request id and stay out of it.
            e.HasIndex(a => new { a.TenantId, a.At, a.OktaRequestId }).HasFilter("\"OktaRequestId\" IS NOT NULL");
        });
        builder.Entity<SupportRequest>(e => e.HasIndex(s => s.Reference).IsUnique());
        builder.Entity<FirstSeenValue>(e =>
        {
            e.HasKey(f => new { f.TenantId, f.RuleId, f.Entity, f.Value });
            e.Property(f => f.RuleId).HasMaxLength(200);
            e.Property(f => f.Entity).HasMaxLength(400);
            e.Property(f => f.Value).HasMaxLength(400);
        });
        builder.Entity<RuleSetting>(e =>
        {
            e.HasKey(r => new { r.WorkspaceId, r.RuleId });
            e.Property(r => r.RuleId).HasMaxLength(200);
        });
        builder.Entity<CustomRule>(e =>
        {
            e.HasIndex(r => new { r.WorkspaceId, r.FileName }).IsUnique();
            e.Property(r => r.FileName).HasMaxLength(200);
        });

        builder.Entity<ArrivalCount>(e =>
        {
            e.HasKey(c => new { c.TenantId, c.Hour, c.Source });
            e.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<PollCheckpoint>(e =>
        {
            e.HasKey(c => c.TenantId);
            e.Property(c => c.NextUrl).HasMaxLength(2000);
            e.Property(c => c.LeaseOwner).HasMaxLength(200);
            e.HasOne<Tenant>().WithOne().HasForeignKey<PollCheckpoint>(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<BackfillState>(e =>
        {
            e.HasKey(b => b.TenantId);
            e.Property(b => b.NextUrl).HasMaxLength(2000);
            e.Property(b => b.Error).HasMaxLength(1000);
            e.HasOne<Tenant>().WithOne().HasForeignKey<BackfillState>(b => b.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        TriageModel.Configure(builder);
        NotificationsModel.Configure(builder);

        builder.ConfigureAccessControl();
        ApplyWorkspaceFilters(builder);
        StoreDateTimesAsUtc(builder);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        AccessControlModel.RefuseActivityRewrites(ChangeTracker);
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        AccessControlModel.RefuseActivityRewrites(ChangeTracker);
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>The one place workspace isolation is enforced: every <see cref="IWorkspaceOwned"/> entity is filtered.</summary>
    private void ApplyWorkspaceFilters(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            if (!typeof(IWorkspaceOwned).IsAssignableFrom(entity.ClrType)) continue;
            var parameter = Expression.Parameter(entity.ClrType, "e");
            var workspaceId = Expression.Convert(Expression.Property(parameter, nameof(IWorkspaceOwned.WorkspaceId)), typeof(Guid?));
            var current = Expression.Property(Expression.Constant(this), nameof(CurrentWorkspaceId));
            entity.SetQueryFilter(Expression.Lambda(Expression.Equal(workspaceId, current), parameter));
        }
    }

    /// <summary>SQLite returns DateTime with an unspecified kind; every stored time is UTC.</summary>
    private static void StoreDateTimesAsUtc(ModelBuilder builder)
    {
        var utc = new ValueConverter<DateTime, DateTime>(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        var nullableUtc = new ValueConverter<DateTime?, DateTime?>(v => v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
        foreach (var property in builder.Model.GetEntityTypes().SelectMany(t => t.GetProperties()))
        {
            if (property.ClrType == typeof(DateTime)) property.SetValueConverter(utc);
            else if (property.ClrType == typeof(DateTime?)) property.SetValueConverter(nullableUtc);
        }
    }
}
