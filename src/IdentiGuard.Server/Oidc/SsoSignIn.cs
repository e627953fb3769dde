using System.Security.Claims;
using IdentiGuard.Data.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Oidc;

public enum SsoOutcome { SignedIn, RequiresTwoFactor, LockedOut, Failed }

/// <param name="Reason">Why a sign-in failed, as a code the sign-in page turns into a fixed message (never free text in a URL).</param>
public sealed record SsoResult(SsoOutcome Outcome, string? Reason = null);

public static class SsoFailure
{
    public const string Incomplete = "incomplete";
    public const string NoEmail = "no-email";
    public const string AccountExists = "account-exists";
    public const string NotAllowed = "not-allowed";

    public static string Message(string? reason) => reason switch
    {
        Incomplete => "The sign-in with your identity provider did not complete. Try again.",
        NoEmail => "Your identity provider did not send an e-mail address (request the email scope).",
        AccountExists => "An IdentiGuard account with this e-mail address already exists and is not linked to single sign-on. Sign in with its password instead.",
        NotAllowed => "This account cannot sign in.",
        _ => "Try again.",
    };
}

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
        if (info is null) return new SsoResult(SsoOutcome.Failed, SsoFailure.Incomplete);

        var principal = info.Principal;
        var user = await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey);
        if (user is null)
        {
            var created = await CreateAsync(info, ct);
            if (created.Reason is not null) return new SsoResult(SsoOutcome.Failed, created.Reason);
            user = created.User!;
        }

        var groups = principal.FindAll(options.Value.GroupsClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        await memberships.SyncAsync(user.Id, user.Email ?? user.UserName ?? "", groups, context.Connection.RemoteIpAddress?.ToString(), ct);

        if (principal.HasClaim("amr", "mfa"))
        {
            if (await users.IsLockedOutAsync(user)) return new SsoResult(SsoOutcome.LockedOut);
            if (!await signIn.CanSignInAsync(user)) return new SsoResult(SsoOutcome.Failed, SsoFailure.NotAllowed);
            await signIn.SignInWithClaimsAsync(user, isPersistent: false,
                [new Claim("amr", "mfa"), new Claim(ClaimTypes.AuthenticationMethod, info.LoginProvider)]);
            return new SsoResult(SsoOutcome.SignedIn);
        }
        var result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: false);
        return result.Succeeded ? new SsoResult(SsoOutcome.SignedIn)
            : result.RequiresTwoFactor ? new SsoResult(SsoOutcome.RequiresTwoFactor)
            : result.IsLockedOut ? new SsoResult(SsoOutcome.LockedOut)
            : new SsoResult(SsoOutcome.Failed, SsoFailure.NotAllowed);
    }

    private async Task<(AppUser? User, string? Reason)> CreateAsync(ExternalLoginInfo info, CancellationToken ct)
    {
        var email = info.Principal.FindFirstValue("email")?.Trim();
        if (string.IsNullOrEmpty(email)) return (null, SsoFailure.NoEmail);
        // Never link to an existing account by e-mail: whoever controls the provider could otherwise take over any
        // local account, the instance owner's included, by asserting its address.
        if (await users.FindByEmailAsync(email) is not null)
            return (null, SsoFailure.AccountExists);
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow().UtcDateTime };
        var result = await users.CreateAsync(user);
        if (result.Succeeded) result = await users.AddLoginAsync(user, new UserLoginInfo(info.LoginProvider, info.ProviderKey, info.ProviderDisplayName));
        if (!result.Succeeded)
        {
            CreationFailed(logger, info.LoginProvider, string.Join(" ", result.Errors.Select(e => e.Code)));
            return (null, SsoFailure.NotAllowed);
        }
        Created(logger, user.Id, info.LoginProvider);
        ct.ThrowIfCancellationRequested();
        return (user, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create a user from {Provider} single sign-on: {Errors}")]
    private static partial void CreationFailed(ILogger logger, string provider, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created user {UserId} just in time from {Provider} single sign-on")]
    private static partial void Created(ILogger logger, Guid userId, string provider);
}
