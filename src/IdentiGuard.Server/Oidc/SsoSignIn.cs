using System.Security.Claims;
using IdentiGuard.Data.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Oidc;

public enum SsoOutcome { SignedIn, RequiresTwoFactor, LockedOut, Failed }

public sealed record SsoResult(SsoOutcome Outcome, string? Error = null);

/// <summary>
/// Completes a sign-in that came back from the identity provider: finds or creates (just in time) the account linked
/// to the provider's subject, syncs workspace memberships from its groups, then signs in. The provider's MFA counts
/// as the second factor when its ID token says so (<c>amr</c> contains <c>mfa</c>); otherwise a user who enrolled a
/// local authenticator is asked for it, exactly as after a password.
/// </summary>
public sealed partial class SsoSignIn(SignInManager<AppUser> signIn, UserManager<AppUser> users, SsoMembershipSync memberships,
    IOptions<OidcOptions> options, IHttpContextAccessor http, TimeProvider time, ILogger<SsoSignIn> logger)
{
    public async Task<SsoResult> CompleteAsync(CancellationToken ct)
    {
        var context = http.HttpContext!;
        var info = await signIn.GetExternalLoginInfoAsync();
        // The external cookie has done its job whatever happens next.
        await context.SignOutAsync(IdentityConstants.ExternalScheme);
        if (info is null) return new SsoResult(SsoOutcome.Failed, "The sign-in with your identity provider did not complete. Try again.");

        var principal = info.Principal;
        var user = await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey);
        if (user is null)
        {
            var created = await CreateAsync(info, ct);
            if (created.Error is not null) return new SsoResult(SsoOutcome.Failed, created.Error);
            user = created.User!;
        }

        var groups = principal.FindAll(options.Value.GroupsClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        await memberships.SyncAsync(user.Id, user.Email ?? user.UserName ?? "", groups, context.Connection.RemoteIpAddress?.ToString(), ct);

        if (principal.HasClaim("amr", "mfa"))
        {
            if (await users.IsLockedOutAsync(user)) return new SsoResult(SsoOutcome.LockedOut);
            if (!await signIn.CanSignInAsync(user)) return new SsoResult(SsoOutcome.Failed, "This account cannot sign in.");
            await signIn.SignInWithClaimsAsync(user, isPersistent: false,
                [new Claim("amr", "mfa"), new Claim(ClaimTypes.AuthenticationMethod, info.LoginProvider)]);
            return new SsoResult(SsoOutcome.SignedIn);
        }
        var result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: false);
        return result.Succeeded ? new SsoResult(SsoOutcome.SignedIn)
            : result.RequiresTwoFactor ? new SsoResult(SsoOutcome.RequiresTwoFactor)
            : result.IsLockedOut ? new SsoResult(SsoOutcome.LockedOut)
            : new SsoResult(SsoOutcome.Failed, "This account cannot sign in.");
    }

    private async Task<(AppUser? User, string? Error)> CreateAsync(ExternalLoginInfo info, CancellationToken ct)
    {
        var email = info.Principal.FindFirstValue("email")?.Trim();
        if (string.IsNullOrEmpty(email)) return (null, "Your identity provider did not send an e-mail address (request the email scope).");
        // Never link to an existing account by e-mail: whoever controls the provider could otherwise take over any
        // local account, the instance owner's included, by asserting its address.
        if (await users.FindByEmailAsync(email) is not null)
            return (null, "An IdentiGuard account with this e-mail address already exists and is not linked to single sign-on. Sign in with its password instead.");
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow().UtcDateTime };
        var result = await users.CreateAsync(user);
        if (result.Succeeded) result = await users.AddLoginAsync(user, new UserLoginInfo(info.LoginProvider, info.ProviderKey, info.ProviderDisplayName));
        if (!result.Succeeded) return (null, string.Join(" ", result.Errors.Select(e => e.Description)));
        Created(logger, user.Id, info.LoginProvider);
        ct.ThrowIfCancellationRequested();
        return (user, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created user {UserId} just in time from {Provider} single sign-on")]
    private static partial void Created(ILogger logger, Guid userId, string provider);
}
