using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Suppression;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Triage;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Suppression;

public sealed record SuppressionInput(string? RuleId, Guid? TenantId, string? User, string? Group, string? IpCidr, string? Country, long? Asn,
    string? Reason, DateTime? ExpiresAt, Guid? SourceAlertId = null);

public sealed record SuppressionView(Guid Id, string? RuleId, Guid? TenantId, string? TenantName, string? User, string? Group, string? IpCidr, string? Country, long? Asn,
    string Reason, DateTime ExpiresAt, bool Active, DateTime CreatedAt, string CreatedBy, Guid? SourceAlertId, int MatchCount, DateTime? LastMatchedAt);

public sealed record SuppressionResult(SuppressionView? Entry, IDictionary<string, string[]>? Errors);

/// <summary>Suppression entries of the current workspace: validated, logged in the activity log, visible on their rule.</summary>
public sealed class SuppressionService(IDbContextFactory<IdentiGuardDbContext> dbFactory, SuppressionMatcher matcher, ActivityLog activity)
{
    /// <summary>Long enough for a planned change window or a known VPN; short enough that nothing is silenced forever by mistake.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    public async Task<IReadOnlyList<SuppressionView>> ListAsync(string? ruleId = null, bool includeExpired = true, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = matcher.Now;
        var entries = db.Suppressions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(ruleId)) entries = entries.Where(s => s.RuleId == ruleId);
        if (!includeExpired) entries = entries.Where(s => s.ExpiresAt > now);
        return await Project(db, entries.OrderByDescending(s => s.CreatedAt), now).ToListAsync(ct);
    }

    public async Task<SuppressionView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Project(db, db.Suppressions.AsNoTracking().Where(s => s.Id == id), matcher.Now).FirstOrDefaultAsync(ct);
    }

    /// <summary>"Mark as expected": an entry scoped to the alert's rule, tenant, user and IP, valid for 30 days (the caller edits before saving).</summary>
    public async Task<SuppressionInput?> DraftFromAlertAsync(Guid alertId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alert = await db.Alerts.AsNoTracking().Where(a => a.Id == alertId).Select(a => new { a.RuleId, a.TenantId, a.Title }).FirstOrDefaultAsync(ct);
        if (alert is null) return null;
        var evidence = await db.AlertEvents.Where(x => x.AlertId == alertId).Join(db.Events, x => x.StoredEventId, e => e.Id, (x, e) => e)
            .OrderBy(e => e.Published).Take(50).ToListAsync(ct);
        var facts = evidence.Select(EventFacts.Of).ToList();
        // Only values every evidence event shares are offered: otherwise the entry would not match the alert it came from.
        var user = Shared(facts.Select(f => f.ActorLogin ?? f.ActorId));
        var ip = Shared(facts.Select(f => f.Ip));
        return new SuppressionInput(alert.RuleId, alert.TenantId, user, null, ip, null, null, $"Expected activity: {alert.Title}",
            matcher.Now.AddDays(30), alertId);
    }

    public async Task<SuppressionResult> CreateAsync(SuppressionInput input, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var workspaceId = db.CurrentWorkspaceId ?? throw new InvalidOperationException("No workspace entered.");
        var errors = Validate(input);
        if (input.TenantId is { } tenantId && !await db.Tenants.AnyAsync(t => t.Id == tenantId, ct)) errors["tenantId"] = ["No such tenant in this workspace."];
        if (input.SourceAlertId is { } alertId && !await db.Alerts.AnyAsync(a => a.Id == alertId, ct)) errors["sourceAlertId"] = ["No such alert in this workspace."];
        if (errors.Count > 0) return new SuppressionResult(null, errors);

        var now = matcher.Now;
        var entry = new SuppressionEntry
        {
            Id = Guid.NewGuid(), WorkspaceId = workspaceId, RuleId = Trim(input.RuleId), TenantId = input.TenantId, User = Trim(input.User), Group = Trim(input.Group),
            IpCidr = Trim(input.IpCidr), Country = Trim(input.Country), Asn = input.Asn, Reason = input.Reason!.Trim(),
            ExpiresAt = DateTime.SpecifyKind(input.ExpiresAt!.Value.ToUniversalTime(), DateTimeKind.Utc), CreatedAt = now, CreatedBy = actor,
            SourceAlertId = input.SourceAlertId,
        };
        db.Suppressions.Add(entry);
        if (input.SourceAlertId is { } source)
            db.AlertHistory.Add(AlertHistory.Entry(workspaceId, source, now, actor, "suppression.created", null, entry.Id.ToString(),
                $"Marked as expected until {entry.ExpiresAt:yyyy-MM-dd HH:mm} UTC ({Describe(entry)}): {entry.Reason}"));
        db.Activity.Add(activity.Entry(workspaceId, entry.TenantId, "suppression.created", ActivityOutcome.Success,
            $"Suppression entry {Describe(entry)} until {entry.ExpiresAt:yyyy-MM-dd HH:mm} UTC: {entry.Reason}", actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return new SuppressionResult(await Project(db, db.Suppressions.AsNoTracking().Where(s => s.Id == entry.Id), now).FirstAsync(ct), null);
    }

    /// <summary>Ends an entry now (kept, with its match count, as expired rather than deleted).</summary>
    public async Task<SuppressionView?> ExpireAsync(Guid id, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entry = await db.Suppressions.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (entry is null) return null;
        var now = matcher.Now;
        if (entry.ExpiresAt > now)
        {
            entry.ExpiresAt = now;
            db.Activity.Add(activity.Entry(entry.WorkspaceId, entry.TenantId, "suppression.ended", ActivityOutcome.Success,
                $"Suppression entry {Describe(entry)} ended early ({entry.MatchCount} matches silenced).", actor, null, null, null));
            await db.SaveChangesAsync(ct);
        }
        return await Project(db, db.Suppressions.AsNoTracking().Where(s => s.Id == id), now).FirstAsync(ct);
    }

    public static string Describe(SuppressionEntry e)
    {
        var parts = new List<string>();
        if (e.RuleId is not null) parts.Add($"rule {e.RuleId}");
        if (e.TenantId is not null) parts.Add("one tenant");
        if (e.User is not null) parts.Add($"user {e.User}");
        if (e.Group is not null) parts.Add($"group {e.Group}");
        if (e.IpCidr is not null) parts.Add($"IP {e.IpCidr}");
        if (e.Country is not null) parts.Add($"country {e.Country}");
        if (e.Asn is not null) parts.Add($"ASN {e.Asn}");
        return string.Join(", ", parts);
    }

    private Dictionary<string, string[]> Validate(SuppressionInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (Trim(input.RuleId) is null && Trim(input.User) is null && Trim(input.Group) is null && Trim(input.IpCidr) is null && Trim(input.Country) is null && input.Asn is null)
            errors["scope"] = ["Scope the entry: set at least a rule, user, group, IP/CIDR, country or ASN (a tenant alone would silence everything)."];
        if (string.IsNullOrWhiteSpace(input.Reason)) errors["reason"] = ["Say why these matches are expected."];
        else if (input.Reason.Length > 1000) errors["reason"] = ["The reason is longer than 1000 characters."];
        var now = matcher.Now;
        if (input.ExpiresAt is not { } expires) errors["expiresAt"] = ["Set an expiry date."];
        else if (expires.ToUniversalTime() <= now) errors["expiresAt"] = ["The expiry must be in the future."];
        else if (expires.ToUniversalTime() > now + MaxLifetime) errors["expiresAt"] = [$"An entry can last at most {MaxLifetime.TotalDays:0} days."];
        if (Trim(input.IpCidr) is { } ip && !ActiveSuppressions.TryParseNetwork(ip, out _))
            errors["ipCidr"] = ["Enter an IP address or a CIDR range such as 203.0.113.0/24."];
        if (input.Asn is < 0 or > uint.MaxValue) errors["asn"] = ["An ASN is a number from 0 to 4294967295."];
        foreach (var (field, value, max) in new[] { ("ruleId", input.RuleId, 200), ("user", input.User, 200), ("group", input.Group, 200), ("country", input.Country, 100) })
            if (value?.Length > max) errors[field] = [$"At most {max} characters."];
        return errors;
    }

    private static IQueryable<SuppressionView> Project(IdentiGuardDbContext db, IQueryable<SuppressionEntry> entries, DateTime now) =>
        from s in entries
        join t in db.Tenants on s.TenantId equals t.Id into tenants
        from t in tenants.DefaultIfEmpty()
        select new SuppressionView(s.Id, s.RuleId, s.TenantId, t == null ? null : t.Name, s.User, s.Group, s.IpCidr, s.Country, s.Asn, s.Reason, s.ExpiresAt,
            s.ExpiresAt > now, s.CreatedAt, s.CreatedBy, s.SourceAlertId, s.MatchCount, s.LastMatchedAt);

    private static string? Shared(IEnumerable<string?> values)
    {
        var distinct = values.Distinct().ToList();
        return distinct is [{ } only] ? only : null;
    }

    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
