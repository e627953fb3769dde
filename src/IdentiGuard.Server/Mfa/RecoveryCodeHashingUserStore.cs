using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace IdentiGuard.Server.Mfa;

/// <summary>
/// Identity's EF store keeps two-factor recovery codes in plain text (joined in <c>AspNetUserTokens</c>). This store
/// keeps only a password hash of each code (PBKDF2 through Identity's password hasher), so a leaked database does not
/// leak working recovery codes. A code is removed when it is redeemed: each works once.
/// </summary>
internal sealed class RecoveryCodeHashingUserStore(IdentiGuardDbContext context, IPasswordHasher<AppUser> hasher, IdentityErrorDescriber? describer = null)
    : UserStore<AppUser, IdentityRole<Guid>, IdentiGuardDbContext, Guid>(context, describer)
{
    // The names Identity's store uses, so counting and replacing keep working through the base class.
    private const string InternalLoginProvider = "[AspNetUserStore]";
    private const string RecoveryCodeTokenName = "RecoveryCodes";

    public override Task ReplaceCodesAsync(AppUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken)
        => base.ReplaceCodesAsync(user, recoveryCodes.Select(code => hasher.HashPassword(user, Normalise(code))).ToList(), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(AppUser user, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var presented = Normalise(code);
        if (presented.Length == 0) return false;
        var stored = await GetTokenAsync(user, InternalLoginProvider, RecoveryCodeTokenName, cancellationToken) ?? "";
        var hashes = stored.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        var match = hashes.FindIndex(hash => hasher.VerifyHashedPassword(user, hash, presented) != PasswordVerificationResult.Failed);
        if (match < 0) return false;
        hashes.RemoveAt(match);
        await SetTokenAsync(user, InternalLoginProvider, RecoveryCodeTokenName, string.Join(';', hashes), cancellationToken);
        return true;
    }

    /// <summary>Codes are shown as <c>XXXXX-XXXXX</c>; people type them in any case, with or without spaces.</summary>
    private static string Normalise(string code) => (code ?? "").Trim().Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
}
