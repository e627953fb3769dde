using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Activity;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Accounts;

public sealed record ApiTokenSummary(Guid Id, string Name, string Prefix, Guid WorkspaceId, string? WorkspaceName, WorkspaceRole Role,
    DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>The token value is returned once, at creation; only its hash is kept.</summary>
public sealed record CreatedApiToken(ApiTokenSummary Token, string Value);

public sealed record ApiTokenCreateResult(CreatedApiToken? Created, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>Who a presented token speaks for: the user, and the one workspace and the role it is limited to.</summary>
public sealed record ApiTokenGrant(Guid TokenId, Guid UserId, Guid WorkspaceId, WorkspaceRole Role);

/// <summary>The claims an API-token principal carries on top of the user's: the token's workspace and role.</summary>
public static class ApiTokenClaims
{
    public const string Workspace = "identiguard:token_workspace";
    public const string Role = "identiguard:token_role";
    public const string TokenId = "identiguard:token_id";

    /// <summary>The token's scope when the request authenticated with an API token, else null (a cookie session).</summary>
    public static (Guid WorkspaceId, WorkspaceRole Role)? TokenScope(this ClaimsPrincipal principal)
        => Guid.TryParse(principal.FindFirstValue(Workspace), out var workspaceId) && Enum.TryParse<WorkspaceRole>(principal.FindFirstValue(Role), out var role)
            ? (workspaceId, role)
            : null;
}

/// <summary>
/// Personal API tokens: <c>igt_{prefix}_{secret}</c>, SHA-256 of the secret stored, compared in constant time. Each
/// token is limited to one workspace and a role no higher than its user's; membership is checked again on every
/// request (<see cref="Workspaces.WorkspaceAccess"/>), so removal or demotion applies to tokens at once.
/// </summary>
public sealed class ApiTokenService(IDbContextFactory<IdentiGuardDbContext> dbFactory, ActivityLog activity, TimeProvider time)
{
    private const string Scheme = "igt_";
    public const int MaxLifetimeDays = 366;

    /// <param name="caller">The principal asking: a token may only mint tokens inside its own workspace and role.</param>
    public async Task<ApiTokenCreateResult> CreateAsync(ClaimsPrincipal caller, string? name, Guid workspaceId, WorkspaceRole role, int? expiresInDays,
        string? actorIp, CancellationToken ct = default)
    {
        if (caller.UserId() is not { } userId) return Invalid("user", "Sign in first.");
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100) return Invalid("name", "Give the token a name of 1 to 100 characters.");
        if (expiresInDays is < 1 or > MaxLifetimeDays) return Invalid("expiresInDays", $"Choose an expiry between 1 and {MaxLifetimeDays} days.");
        if (!Enum.IsDefined(role)) return Invalid("role", "Choose Viewer, Analyst, Admin or Owner.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var membership = await db.WorkspaceMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId && m.WorkspaceId == workspaceId)
            .Join(db.Workspaces, m => m.WorkspaceId, w => w.Id, (m, w) => new { m.Role, w.Name })
            .FirstOrDefaultAsync(ct);
        if (membership is null) return Invalid("workspaceId", "You are not a member of that workspace.");
        var ceiling = caller.TokenScope() is { } scope
            ? scope.WorkspaceId == workspaceId ? Workspaces.WorkspacePolicy.Lower(scope.Role, membership.Role) : (WorkspaceRole?)null
            : membership.Role;
        if (ceiling is null) return Invalid("workspaceId", "An API token can only create tokens for its own workspace.");
        if (role > ceiling) return Invalid("role", $"A token's role cannot be higher than yours ({ceiling}).");

        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow().UtcDateTime;
        var token = new ApiToken
        {
            Id = Guid.NewGuid(), UserId = userId, Name = name, Prefix = prefix, WorkspaceId = workspaceId, Role = role,
            SecretHash = Hash(secret), CreatedAt = now, ExpiresAt = now.AddDays(expiresInDays ?? 90),
        };
        db.ApiTokens.Add(token);
        db.Activity.Add(activity.Entry(workspaceId, null, "token.created", ActivityOutcome.Success,
            $"API token \"{name}\" (igt_{prefix}) created with the {role} role, expiring {token.ExpiresAt:yyyy-MM-dd HH:mm} UTC.",
            caller.DisplayName(), actorIp, null, null, after: Describe(token)));
        await db.SaveChangesAsync(ct);
        return new ApiTokenCreateResult(new CreatedApiToken(Summarise(token, membership.Name), $"{Scheme}{prefix}_{secret}"), null);
    }

    public async Task<IReadOnlyList<ApiTokenSummary>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt)
            .GroupJoin(db.Workspaces, t => t.WorkspaceId, w => w.Id, (t, ws) => new { t, ws })
            .SelectMany(x => x.ws.DefaultIfEmpty(), (x, w) => new ApiTokenSummary(x.t.Id, x.t.Name, x.t.Prefix, x.t.WorkspaceId, w == null ? null : w.Name,
                x.t.Role, x.t.CreatedAt, x.t.ExpiresAt, x.t.LastUsedAt, x.t.RevokedAt))
            .ToListAsync(ct);
    }

    public async Task<bool> RevokeAsync(ClaimsPrincipal caller, Guid tokenId, string? actorIp, CancellationToken ct = default)
    {
        if (caller.UserId() is not { } userId) return false;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null, ct);
        // A token may revoke only tokens of its own workspace (itself included).
        if (token is null || (caller.TokenScope() is { } scope && scope.WorkspaceId != token.WorkspaceId)) return false;
        var before = Describe(token);
        token.RevokedAt = time.GetUtcNow().UtcDateTime;
        db.Activity.Add(activity.Entry(token.WorkspaceId, null, "token.revoked", ActivityOutcome.Success,
            $"API token \"{token.Name}\" (igt_{token.Prefix}) revoked.", caller.DisplayName(), actorIp, null, null, before: before, after: Describe(token)));
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <returns>The grant when the presented value is a live token, else null.</returns>
    public async Task<ApiTokenGrant?> ValidateAsync(string presented, CancellationToken ct = default)
    {
        if (!presented.StartsWith(Scheme, StringComparison.Ordinal)) return null;
        var parts = presented[Scheme.Length..].Split('_', 2);
        if (parts.Length != 2) return null;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Prefix == parts[0], ct);
        if (token is null || !CryptographicOperations.FixedTimeEquals(token.SecretHash, Hash(parts[1]))) return null;
        var now = time.GetUtcNow().UtcDateTime;
        if (token.RevokedAt is not null || token.ExpiresAt <= now || token.WorkspaceId == Guid.Empty) return null;

        // Last-used is informational: record it at most once a minute to keep reads cheap.
        if (token.LastUsedAt is null || now - token.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return new ApiTokenGrant(token.Id, token.UserId, token.WorkspaceId, token.Role);
    }

    private static ApiTokenCreateResult Invalid(string field, string message) => new(null, new Dictionary<string, string[]> { [field] = [message] });

    private static ApiTokenSummary Summarise(ApiToken t, string? workspaceName)
        => new(t.Id, t.Name, t.Prefix, t.WorkspaceId, workspaceName, t.Role, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);

    private static string Describe(ApiToken t)
        => JsonSerializer.Serialize(new { t.Name, prefix = "igt_" + t.Prefix, role = t.Role.ToString(), t.ExpiresAt, t.RevokedAt });

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
