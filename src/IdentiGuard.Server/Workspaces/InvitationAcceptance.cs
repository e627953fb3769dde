using System.Security.Claims;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Activity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Workspaces;

public enum InvitationState { Valid, Unknown, Expired, Used, Withdrawn }

public sealed record InvitationPreview(InvitationState State, string? WorkspaceName, string? Email, WorkspaceRole Role, bool AccountExists);

public sealed record AcceptResult(Guid? WorkspaceId, AppUser? User, string? Error);

/// <summary>
/// Opening an invitation link: outside any workspace, so the invitation is found by the hash of its token only (the
/// one lookup here that bypasses the workspace filter). The link works once, until it expires, and only for the
/// invited address: it creates that account or adds the signed-in account with that address to the workspace.
/// </summary>
public sealed class InvitationAcceptance(IDbContextFactory<IdentiGuardDbContext> dbFactory, UserManager<AppUser> users, ActivityLog activity, TimeProvider time)
{
    public async Task<InvitationPreview> PreviewAsync(string? token, CancellationToken ct = default)
    {
        var found = await FindAsync(token, ct);
        if (found is null) return new InvitationPreview(InvitationState.Unknown, null, null, WorkspaceRole.Viewer, false);
        var (invitation, workspaceName) = found.Value;
        var exists = await users.FindByEmailAsync(invitation.Email) is not null;
        return new InvitationPreview(StateOf(invitation), workspaceName, invitation.Email, invitation.Role, exists);
    }

    /// <param name="signedIn">The signed-in user, when there is one; else an account is created with <paramref name="password"/>.</param>
    public async Task<AcceptResult> AcceptAsync(string? token, ClaimsPrincipal? signedIn, string? password, string? actorIp, CancellationToken ct = default)
    {
        var found = await FindAsync(token, ct);
        if (found is null) return new AcceptResult(null, null, "This invitation link is not valid.");
        var (invitation, workspaceName) = found.Value;
        var state = StateOf(invitation);
        if (state != InvitationState.Valid) return new AcceptResult(null, null, Explain(state));

        AppUser? user;
        if (signedIn?.UserId() is { } signedInId)
        {
            user = await users.FindByIdAsync(signedInId.ToString());
            if (user is null || !string.Equals(user.Email, invitation.Email, StringComparison.OrdinalIgnoreCase))
                return new AcceptResult(null, null, $"This invitation is for {invitation.Email}. Sign out and open the link again, signed in as {invitation.Email}.");
        }
        else
        {
            if (await users.FindByEmailAsync(invitation.Email) is not null)
                return new AcceptResult(null, null, $"An account for {invitation.Email} exists: sign in, then open the link again.");
            // The link was delivered to this address, which confirms it.
            user = new AppUser { UserName = invitation.Email, Email = invitation.Email, EmailConfirmed = true, CreatedAt = time.GetUtcNow().UtcDateTime };
            var created = await users.CreateAsync(user, password ?? "");
            if (!created.Succeeded) return new AcceptResult(null, null, string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Single use, even when two requests race: only the one that flips AcceptedAt proceeds.
        var claimed = await db.WorkspaceInvitations.IgnoreQueryFilters()
            .Where(i => i.Id == invitation.Id && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.AcceptedAt, now).SetProperty(i => i.AcceptedByUserId, user.Id), ct);
        if (claimed == 0) return new AcceptResult(null, null, "This invitation was used or withdrawn a moment ago.");

        var existing = await db.WorkspaceMembers.IgnoreQueryFilters().FirstOrDefaultAsync(m => m.WorkspaceId == invitation.WorkspaceId && m.UserId == user.Id, ct);
        var before = existing?.Role;
        if (existing is null)
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = invitation.WorkspaceId, UserId = user.Id, Role = invitation.Role, AddedAt = now });
        else if (existing.Role < invitation.Role)
            existing.Role = invitation.Role;
        db.Activity.Add(activity.Entry(invitation.WorkspaceId, null, "member.joined", ActivityOutcome.Success,
            $"{invitation.Email} accepted the invitation from {invitation.InvitedBy} and joined as {existing?.Role ?? invitation.Role}.", invitation.Email, actorIp, null, null,
            before: before is null ? "null" : JsonSerializer.Serialize(new { email = invitation.Email, role = before.ToString() }),
            after: JsonSerializer.Serialize(new { email = invitation.Email, role = (existing?.Role ?? invitation.Role).ToString() })));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new AcceptResult(invitation.WorkspaceId, user, null);
    }

    public static string Explain(InvitationState state) => state switch
    {
        InvitationState.Expired => "This invitation has expired. Ask the person who invited you for a new one.",
        InvitationState.Used => "This invitation has already been used.",
        InvitationState.Withdrawn => "This invitation was withdrawn.",
        InvitationState.Unknown => "This invitation link is not valid.",
        _ => "",
    };

    private InvitationState StateOf(WorkspaceInvitation invitation)
        => invitation.AcceptedAt is not null ? InvitationState.Used
            : invitation.RevokedAt is not null ? InvitationState.Withdrawn
            : invitation.ExpiresAt <= time.GetUtcNow().UtcDateTime ? InvitationState.Expired
            : InvitationState.Valid;

    private async Task<(WorkspaceInvitation Invitation, string WorkspaceName)?> FindAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var hash = MemberService.HashToken(token);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await db.WorkspaceInvitations.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.TokenHash == hash)
            .Join(db.Workspaces, i => i.WorkspaceId, w => w.Id, (i, w) => new { i, w.Name })
            .FirstOrDefaultAsync(ct);
        return found is null ? null : (found.i, found.Name);
    }
}
