using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Accounts;

public sealed record ApiTokenSummary(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>The token value is returned once, at creation; only its hash is kept.</summary>
public sealed record CreatedApiToken(ApiTokenSummary Token, string Value);

/// <summary>Personal API tokens: <c>igt_{prefix}_{secret}</c>, SHA-256 of the secret stored, compared in constant time.</summary>
public sealed class ApiTokenService(IDbContextFactory<IdentiGuardDbContext> dbFactory, TimeProvider time)
{
    private const string Scheme = "igt_";

    public async Task<CreatedApiToken> CreateAsync(Guid userId, string name, TimeSpan? lifetime, CancellationToken ct = default)
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow().UtcDateTime;
        var token = new ApiToken
        {
            Id = Guid.NewGuid(), UserId = userId, Name = name.Trim(), Prefix = prefix,
            SecretHash = Hash(secret), CreatedAt = now, ExpiresAt = lifetime is { } l ? now + l : null,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return new CreatedApiToken(Summarise(token), $"{Scheme}{prefix}_{secret}");
    }

    public async Task<IReadOnlyList<ApiTokenSummary>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt)
            .Select(t => new ApiTokenSummary(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(ct);
    }

    public async Task<bool> RevokeAsync(Guid userId, Guid tokenId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        return await db.ApiTokens.Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct) > 0;
    }

    /// <returns>The owning user's id when the presented value is a live token, else null.</returns>
    public async Task<Guid?> ValidateAsync(string presented, CancellationToken ct = default)
    {
        if (!presented.StartsWith(Scheme, StringComparison.Ordinal)) return null;
        var parts = presented[Scheme.Length..].Split('_', 2);
        if (parts.Length != 2) return null;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Prefix == parts[0], ct);
        if (token is null || !CryptographicOperations.FixedTimeEquals(token.SecretHash, Hash(parts[1]))) return null;
        var now = time.GetUtcNow().UtcDateTime;
        if (token.RevokedAt is not null || token.ExpiresAt <= now) return null;

        // Last-used is informational: record it at most once a minute to keep reads cheap.
        if (token.LastUsedAt is null || now - token.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return token.UserId;
    }

    private static ApiTokenSummary Summarise(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

}
