using System.Globalization;
using IdentiGuard.Data.Accounts;
using Microsoft.AspNetCore.Identity;

namespace IdentiGuard.Server.Mfa;

/// <summary>
/// Replaces Identity's authenticator provider (registered under the same name) to add what it lacks: a code is accepted
/// once only. Identity's own provider accepts the same code again for as long as it is valid (±90 s), so a code seen
/// over a shoulder or phished in real time could be replayed. This one remembers the last accepted time step per user
/// and refuses it and every earlier step; it also narrows the clock-skew window to one step either side.
/// </summary>
internal sealed class TotpAuthenticatorTokenProvider(TimeProvider time) : IUserTwoFactorTokenProvider<AppUser>
{
    private const string StoreProvider = "[IdentiGuardTotp]";
    private const string LastStepName = "LastAcceptedStep";

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<AppUser> manager, AppUser user)
        => !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>Codes come from the user's authenticator app; the server never sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<AppUser> manager, AppUser user) => Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<AppUser> manager, AppUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key) || !Totp.TryNormalise(token, out var code)) return false;
        var secret = Base32.Decode(key);
        var lastAccepted = long.TryParse(await manager.GetAuthenticationTokenAsync(user, StoreProvider, LastStepName), CultureInfo.InvariantCulture, out var last)
            ? last : long.MinValue;
        var now = Totp.StepAt(time.GetUtcNow());
        for (var step = now - 1; step <= now + 1; step++)
        {
            if (step <= lastAccepted || !Totp.CodesEqual(Totp.Code(secret, step), code)) continue;
            // Saved through the user's concurrency stamp: of two requests racing with one code, only one wins.
            var saved = await manager.SetAuthenticationTokenAsync(user, StoreProvider, LastStepName, step.ToString(CultureInfo.InvariantCulture));
            return saved.Succeeded;
        }
        return false;
    }

    /// <summary>A new key starts a new sequence: forget the previous key's last step.</summary>
    public static Task ForgetLastStepAsync(UserManager<AppUser> manager, AppUser user)
        => manager.RemoveAuthenticationTokenAsync(user, StoreProvider, LastStepName);
}
