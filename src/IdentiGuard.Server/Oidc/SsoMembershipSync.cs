using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Activity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Oidc;

/// <summary>
/// Just-in-time membership from the identity provider's groups, at every SSO sign-in: each mapped workspace gets the
/// highest role any of the user's groups grants; a membership SSO created is updated, and removed when no group grants
/// it any more. Memberships added by hand are never touched. Every change is in the workspace's activity log.
/// </summary>
public sealed class SsoMembershipSync(IDbContextFactory<IdentiGuardDbContext> dbFactory, IOptions<OidcOptions> options, ActivityLog activity, TimeProvider time)
{
    /// <summary>The highest role the user's groups grant in one workspace, and the groups that grant it (for the log).</summary>
    private static (WorkspaceRole Role, string Groups) Strongest(IReadOnlyList<GroupMapping> mappings)
    {
        var role = mappings.Max(m => m.Role);
        return (role, string.Join(", ", mappings.Where(m => m.Role == role).Select(m => m.Group).Distinct()));
    }

    public async Task SyncAsync(Guid userId, string email, IReadOnlyCollection<string> groups, string? actorIp, CancellationToken ct = default)
    {
        var desired = options.Value.GroupMappings
            .Where(m => groups.Contains(m.Group, StringComparer.Ordinal))
            .GroupBy(m => m.WorkspaceId)
            .ToDictionary(g => g.Key, g => Strongest(g.ToList()));

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Membership is decided across workspaces here, before any workspace is entered.
        var current = await db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.UserId == userId).ToListAsync(ct);
        var existing = await db.Workspaces.Where(w => desired.Keys.Contains(w.Id)).Select(w => w.Id).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        void Log(Guid workspaceId, string message) =>
            db.Activity.Add(activity.Entry(workspaceId, null, "membership.sso", ActivityOutcome.Success, message, "single sign-on", actorIp, null, null));

        foreach (var member in current.Where(m => m.ManagedBySso))
        {
            if (!desired.TryGetValue(member.WorkspaceId, out var grant))
            {
                db.WorkspaceMembers.Remove(member);
                Log(member.WorkspaceId, $"{email} removed ({member.Role}): no identity-provider group grants this workspace any more.");
            }
            else if (member.Role != grant.Role)
            {
                Log(member.WorkspaceId, $"{email} changed from {member.Role} to {grant.Role} by group {grant.Groups}.");
                member.Role = grant.Role;
            }
        }
        foreach (var workspaceId in existing.Where(id => current.All(m => m.WorkspaceId != id)))
        {
            var grant = desired[workspaceId];
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspaceId, UserId = userId, Role = grant.Role, AddedAt = now, ManagedBySso = true });
            Log(workspaceId, $"{email} added as {grant.Role} by group {grant.Groups}.");
        }
        await db.SaveChangesAsync(ct);
    }
}
