using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Workspaces;

public sealed record MemberView(Guid UserId, string Email, WorkspaceRole Role, DateTime AddedAt);

public sealed record InvitationView(Guid Id, string Email, WorkspaceRole Role, string InvitedBy, DateTime CreatedAt, DateTime ExpiresAt);

/// <summary>A new invitation; <see cref="Link"/> is shown to the inviter once (it works without e-mail), never stored.</summary>
public sealed record CreatedInvitation(InvitationView Invitation, string Link, string Delivery);

/// <summary>Who acts on the members of the entered workspace, with what role, from where.</summary>
public sealed record MemberActor(Guid UserId, string Name, WorkspaceRole Role, string? Ip);

public sealed record MemberResult<T>(T? Value, string? Error, bool NotFound = false)
{
    public static MemberResult<T> Fail(string error) => new(default, error);
    public static MemberResult<T> Missing() => new(default, null, NotFound: true);
}

/// <summary>Section <c>IdentiGuard:Invitations</c>.</summary>
public sealed class InvitationOptions
{
    public const string Section = "IdentiGuard:Invitations";

    /// <summary>How long an invitation link can be used.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>
/// Members and invitations of the entered workspace (the global filter scopes every query). Nobody grants a role
/// above their own, only owners touch owners, and the last owner stays. Every change is in the activity log with the
/// actor, IP and the values before and after; access follows on the next request (membership is read per request).
/// </summary>
public sealed class MemberService(
    IDbContextFactory<IdentiGuardDbContext> dbFactory, ActivityLog activity, InvitationMailer mailer, IOptions<InvitationOptions> options,
    IOptions<IdentiGuardOptions> host, TimeProvider time)
{
    public async Task<IReadOnlyList<MemberView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WorkspaceMembers.AsNoTracking()
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.UserId, Email = u.Email ?? u.UserName ?? "", m.Role, m.AddedAt })
            .OrderBy(m => m.Email)
            .Select(m => new MemberView(m.UserId, m.Email, m.Role, m.AddedAt))
            .ToListAsync(ct);
    }

    public async Task<IReadOnlyList<InvitationView>> PendingInvitationsAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WorkspaceInvitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new InvitationView(i.Id, i.Email, i.Role, i.InvitedBy, i.CreatedAt, i.ExpiresAt))
            .ToListAsync(ct);
    }

    public async Task<MemberResult<CreatedInvitation>> InviteAsync(Guid workspaceId, MemberActor actor, string? email, WorkspaceRole role, CancellationToken ct = default)
    {
        email = NormalizeEmail(email);
        if (email is null) return MemberResult<CreatedInvitation>.Fail("Enter the e-mail address of the person to invite.");
        if (CheckAssign(actor, null, role) is { } refused) return MemberResult<CreatedInvitation>.Fail(refused);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var upper = email.ToUpperInvariant();
        var alreadyMember = await db.WorkspaceMembers.Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u.NormalizedEmail).AnyAsync(e => e == upper, ct);
        if (alreadyMember) return MemberResult<CreatedInvitation>.Fail($"{email} is already a member of this workspace.");
        var workspaceName = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Name).FirstAsync(ct);

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow().UtcDateTime;
        var invitation = new WorkspaceInvitation
        {
            Id = Guid.NewGuid(), WorkspaceId = workspaceId, Email = email, Role = role, TokenHash = HashToken(token), InvitedBy = actor.Name,
            CreatedAt = now, ExpiresAt = now + options.Value.Lifetime,
        };
        db.WorkspaceInvitations.Add(invitation);
        db.Activity.Add(activity.Entry(workspaceId, null, "member.invited", ActivityOutcome.Success,
            $"{email} invited as {role}; the link expires {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC.", actor.Name, actor.Ip, null, null,
            after: JsonSerializer.Serialize(new { email, role = role.ToString(), invitation.ExpiresAt })));
        await db.SaveChangesAsync(ct);

        var link = $"{host.Value.PublicBaseUrl.TrimEnd('/')}/invitations/accept?token={token}";
        var delivery = await mailer.SendAsync(email, workspaceName, role, actor.Name, link, invitation.ExpiresAt, ct);
        return new MemberResult<CreatedInvitation>(new CreatedInvitation(View(invitation), link, delivery), null);
    }

    public async Task<MemberResult<bool>> RevokeInvitationAsync(Guid workspaceId, MemberActor actor, Guid invitationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await db.WorkspaceInvitations.FirstOrDefaultAsync(i => i.Id == invitationId && i.AcceptedAt == null && i.RevokedAt == null, ct);
        if (invitation is null) return MemberResult<bool>.Missing();
        if (invitation.Role > actor.Role) return MemberResult<bool>.Fail($"Only an {invitation.Role} can withdraw an invitation for the {invitation.Role} role.");
        invitation.RevokedAt = time.GetUtcNow().UtcDateTime;
        db.Activity.Add(activity.Entry(workspaceId, null, "member.invitation.revoked", ActivityOutcome.Success,
            $"Invitation of {invitation.Email} as {invitation.Role} withdrawn.", actor.Name, actor.Ip, null, null,
            before: JsonSerializer.Serialize(new { invitation.Email, role = invitation.Role.ToString(), status = "pending" }),
            after: JsonSerializer.Serialize(new { invitation.Email, role = invitation.Role.ToString(), status = "withdrawn" })));
        await db.SaveChangesAsync(ct);
        return new MemberResult<bool>(true, null);
    }

    public async Task<MemberResult<MemberView>> ChangeRoleAsync(Guid workspaceId, MemberActor actor, Guid userId, WorkspaceRole? newRole, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.WorkspaceMembers.FirstOrDefaultAsync(m => m.UserId == userId, ct);
        // Existence first: another workspace's member ids are not even confirmed.
        if (member is null) return MemberResult<MemberView>.Missing();
        if (newRole is not { } role) return MemberResult<MemberView>.Fail("Choose Viewer, Analyst, Admin or Owner.");
        if (CheckAssign(actor, member.Role, role) is { } refused) return MemberResult<MemberView>.Fail(refused);
        if (member.Role == WorkspaceRole.Owner && role != WorkspaceRole.Owner && await IsLastOwnerAsync(db, ct))
            return MemberResult<MemberView>.Fail("A workspace keeps at least one owner: make someone else owner first.");

        var email = await EmailOfAsync(db, userId, ct);
        var before = member.Role;
        member.Role = role;
        db.Activity.Add(activity.Entry(workspaceId, null, "member.role.changed", ActivityOutcome.Success,
            $"{email}: role {before} → {role}.", actor.Name, actor.Ip, null, null,
            before: JsonSerializer.Serialize(new { email, role = before.ToString() }), after: JsonSerializer.Serialize(new { email, role = role.ToString() })));
        await db.SaveChangesAsync(ct);
        return new MemberResult<MemberView>(new MemberView(userId, email, role, member.AddedAt), null);
    }

    public async Task<MemberResult<bool>> RemoveAsync(Guid workspaceId, MemberActor actor, Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.WorkspaceMembers.FirstOrDefaultAsync(m => m.UserId == userId, ct);
        if (member is null) return MemberResult<bool>.Missing();
        // Leaving is always allowed (but for the last owner); removing someone else needs ManageMembers and a role at least theirs.
        if (userId != actor.UserId && CheckAssign(actor, member.Role, WorkspaceRole.Viewer) is { } refused) return MemberResult<bool>.Fail(refused);
        if (member.Role == WorkspaceRole.Owner && await IsLastOwnerAsync(db, ct))
            return MemberResult<bool>.Fail("A workspace keeps at least one owner: make someone else owner first.");

        var email = await EmailOfAsync(db, userId, ct);
        db.WorkspaceMembers.Remove(member);
        db.Activity.Add(activity.Entry(workspaceId, null, "member.removed", ActivityOutcome.Success,
            userId == actor.UserId ? $"{email} left the workspace." : $"{email} ({member.Role}) removed from the workspace.", actor.Name, actor.Ip, null, null,
            before: JsonSerializer.Serialize(new { email, role = member.Role.ToString() }), after: "null"));
        await db.SaveChangesAsync(ct);
        return new MemberResult<bool>(true, null);
    }

    /// <summary>The policy for handing out a role: manage-members permission, never above one's own, owners only by owners.</summary>
    public static string? CheckAssign(MemberActor actor, WorkspaceRole? targetCurrentRole, WorkspaceRole newRole)
    {
        if (!WorkspacePolicy.Allows(actor.Role, WorkspacePermission.ManageMembers)) return "Managing members needs the Admin role.";
        if (!Enum.IsDefined(newRole)) return "Choose Viewer, Analyst, Admin or Owner.";
        if (newRole > actor.Role) return $"You cannot grant the {newRole} role: it is above your own ({actor.Role}).";
        if (targetCurrentRole > actor.Role) return $"Only an {targetCurrentRole} can change or remove an {targetCurrentRole}.";
        return null;
    }

    public static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string? NormalizeEmail(string? email)
    {
        email = email?.Trim().ToLowerInvariant();
        return email is { Length: > 3 and <= 254 } && new EmailAddressAttribute().IsValid(email) && !email.Any(char.IsControl) ? email : null;
    }

    private static async Task<bool> IsLastOwnerAsync(IdentiGuardDbContext db, CancellationToken ct)
        => await db.WorkspaceMembers.CountAsync(m => m.Role == WorkspaceRole.Owner, ct) <= 1;

    private static async Task<string> EmailOfAsync(IdentiGuardDbContext db, Guid userId, CancellationToken ct)
        => await db.Users.Where(u => u.Id == userId).Select(u => u.Email ?? u.UserName).FirstOrDefaultAsync(ct) ?? userId.ToString();

    private static InvitationView View(WorkspaceInvitation i) => new(i.Id, i.Email, i.Role, i.InvitedBy, i.CreatedAt, i.ExpiresAt);
}
