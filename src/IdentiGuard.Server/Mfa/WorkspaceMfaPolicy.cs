using System.Security.Claims;
using System.Text.RegularExpressions;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Activity;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Mfa;

/// <summary>
/// "Require MFA" per workspace: a member whose session was not verified with a second factor (local TOTP, or the
/// identity provider's MFA for single sign-on) is sent to enrolment before any page or API of that workspace.
/// Personal API tokens are not affected: a token is not a password that can be phished or guessed (256 random bits,
/// shown once, stored hashed), it has an expiry and can be revoked, and it can only be created from a signed-in session.
/// </summary>
public sealed partial class WorkspaceMfaPolicy(IDbContextFactory<IdentiGuardDbContext> dbFactory, ActivityLog activity)
{
    public static string EnrolmentPath(string returnUrl) => "/account/mfa?returnUrl=" + Uri.EscapeDataString(returnUrl);

    /// <summary>
    /// True unless the user is a member of a workspace that requires MFA and this session lacks it. Non-members are
    /// "allowed" here so the membership gate answers them with its 404 (nothing about the workspace is revealed).
    /// </summary>
    public async Task<bool> AllowsAsync(ClaimsPrincipal user, Guid workspaceId, CancellationToken ct = default)
    {
        if (IsApiToken(user) || MfaEnrolment.SessionHasMfa(user) || user.UserId() is not { } userId) return true;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var required = await db.WorkspaceMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId && m.WorkspaceId == workspaceId)
            .Join(db.Workspaces, m => m.WorkspaceId, w => w.Id, (m, w) => w.RequireMfa)
            .FirstOrDefaultAsync(ct);
        return !required;
    }

    public async Task<bool?> GetAsync(Guid workspaceId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Workspaces.AsNoTracking().Where(w => w.Id == workspaceId).Select(w => (bool?)w.RequireMfa).FirstOrDefaultAsync(ct);
    }

    public async Task<bool> SetAsync(Guid workspaceId, bool requireMfa, string actor, string? actorIp, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var workspace = await db.Workspaces.FirstOrDefaultAsync(w => w.Id == workspaceId, ct);
        if (workspace is null) return false;
        var before = workspace.RequireMfa;
        workspace.RequireMfa = requireMfa;
        await db.SaveChangesAsync(ct);
        if (before != requireMfa)
            await activity.WriteAsync(workspaceId, null, "workspace.mfa-requirement", ActivityOutcome.Success,
                $"Require two-factor authentication changed from {OnOff(before)} to {OnOff(requireMfa)}.", actor, actorIp, ct: ct);
        return true;
    }

    private static string OnOff(bool on) => on ? "on" : "off";

    private static bool IsApiToken(ClaimsPrincipal user) => user.Identity?.AuthenticationType == ApiTokenAuthenticationHandler.SchemeName;

    /// <summary>The workspace a request addresses: a page under <c>/w/{id}</c> or the API under <c>/api/workspaces/{id}</c>.</summary>
    internal static (Guid WorkspaceId, bool IsApi)? Addressed(PathString path)
    {
        var match = WorkspacePath().Match(path.Value ?? "");
        return match.Success && Guid.TryParse(match.Groups["id"].Value, out var id) ? (id, match.Groups["api"].Success) : null;
    }

    [GeneratedRegex(@"^(?:/w|(?<api>/api/workspaces))/(?<id>[0-9a-fA-F-]{36})(?:/|$)")]
    private static partial Regex WorkspacePath();
}
