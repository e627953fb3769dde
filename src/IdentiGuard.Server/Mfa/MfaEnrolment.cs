using System.Security.Claims;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Server.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace IdentiGuard.Server.Mfa;

public sealed record AuthenticatorSetup(string SharedKey, string FormattedKey, string Uri, string QrSvg);

public sealed record MfaStatus(bool Enabled, int RecoveryCodesLeft, bool SessionVerified);

/// <summary>
/// TOTP enrolment for a signed-in local account: a key and QR code, verification of the first code before anything is
/// switched on, ten recovery codes shown once, regeneration and disabling (both need a current code).
/// </summary>
public sealed partial class MfaEnrolment(UserManager<AppUser> users, SignInManager<AppUser> signIn, IHttpContextAccessor http, ILogger<MfaEnrolment> logger)
{
    public const int RecoveryCodeCount = 10;

    /// <summary>The claim Identity adds to a session signed in with a second factor; IdentiGuard adds it for identity-provider MFA too.</summary>
    public static bool SessionHasMfa(ClaimsPrincipal principal) => principal.HasClaim("amr", "mfa");

    public async Task<MfaStatus> StatusAsync(AppUser user, ClaimsPrincipal session)
        => new(await users.GetTwoFactorEnabledAsync(user), await users.CountRecoveryCodesAsync(user), SessionHasMfa(session));

    public async Task<AuthenticatorSetup> SetupAsync(AppUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            await TotpAuthenticatorTokenProvider.ForgetLastStepAsync(users, user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
            // The key change rotated the security stamp: keep this session valid.
            await ReissueSessionAsync(user, mfa: null);
        }
        var uri = AuthenticatorQrCode.Uri(user.Email ?? user.UserName ?? user.Id.ToString(), key);
        return new AuthenticatorSetup(key, AuthenticatorQrCode.Format(key), uri, AuthenticatorQrCode.Svg(uri));
    }

    /// <returns>The recovery codes to show once, or null when the code was not right.</returns>
    public async Task<IReadOnlyList<string>?> EnableAsync(AppUser user, string code)
    {
        if (await users.GetTwoFactorEnabledAsync(user) || !await VerifyAsync(user, code)) return null;
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        // The user just proved possession of the authenticator: this session counts as verified with a second factor.
        await ReissueSessionAsync(user, mfa: true);
        Enabled(logger, user.Id);
        return codes;
    }

    public async Task<IReadOnlyList<string>?> RegenerateRecoveryCodesAsync(AppUser user, string code)
    {
        if (!await users.GetTwoFactorEnabledAsync(user) || !await VerifyAsync(user, code)) return null;
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        await ReissueSessionAsync(user, mfa: null);
        RecoveryCodesRegenerated(logger, user.Id);
        return codes;
    }

    public async Task<bool> DisableAsync(AppUser user, string code)
    {
        if (!await users.GetTwoFactorEnabledAsync(user) || !await VerifyAsync(user, code)) return false;
        await users.SetTwoFactorEnabledAsync(user, false);
        // A fresh key, so the old app entry stops producing codes that would work after a later re-enrolment.
        await users.ResetAuthenticatorKeyAsync(user);
        await TotpAuthenticatorTokenProvider.ForgetLastStepAsync(users, user);
        await users.RemoveAuthenticationTokenAsync(user, "[AspNetUserStore]", "RecoveryCodes");
        await ReissueSessionAsync(user, mfa: false);
        Disabled(logger, user.Id);
        return true;
    }

    private async Task<bool> VerifyAsync(AppUser user, string code)
    {
        if (!Totp.TryNormalise(code, out var normalised)) return false;
        var valid = await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, normalised);
        if (!valid) await users.AccessFailedAsync(user); // wrong codes count toward lockout, as at sign-in
        return valid;
    }

    /// <summary>
    /// Re-issues the cookie with the new security stamp, keeping the session's start time; <paramref name="mfa"/> says
    /// whether the session counts as verified with a second factor (null: as it did).
    /// </summary>
    private async Task ReissueSessionAsync(AppUser user, bool? mfa)
    {
        var current = await http.HttpContext!.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var verified = mfa ?? (current.Principal is { } principal && SessionHasMfa(principal));
        await signIn.SignInWithClaimsAsync(user, SessionLifetime.CarryOver(current.Properties), verified ? [new Claim("amr", "mfa")] : []);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} enabled two-factor authentication")]
    private static partial void Enabled(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} generated new recovery codes")]
    private static partial void RecoveryCodesRegenerated(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} disabled two-factor authentication")]
    private static partial void Disabled(ILogger logger, Guid userId);
}
