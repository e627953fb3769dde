using System.Security.Claims;
using System.Text.Encodings.Web;
using IdentiGuard.Data.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Accounts;

/// <summary>
/// Authenticates <c>Authorization: Bearer igt_…</c> personal API tokens for the REST API. The principal carries the
/// token's workspace and role (<see cref="ApiTokenClaims"/>); the workspace gate intersects them with the membership.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokenService tokens, UserManager<AppUser> users, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryGetToken(Request, out var presented)) return AuthenticateResult.NoResult();
        var grant = await tokens.ValidateAsync(presented, Context.RequestAborted);
        if (grant is null) return AuthenticateResult.Fail("The API token is invalid, expired or revoked.");
        var user = await users.FindByIdAsync(grant.UserId.ToString());
        if (user is null || (user.LockoutEnd is { } end && end > time.GetUtcNow())) return AuthenticateResult.Fail("The token's user cannot sign in.");

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()), new Claim(ClaimTypes.Email, user.Email ?? ""), new Claim(ClaimTypes.Name, user.UserName ?? ""),
            new Claim(ApiTokenClaims.TokenId, grant.TokenId.ToString()), new Claim(ApiTokenClaims.Workspace, grant.WorkspaceId.ToString()),
            new Claim(ApiTokenClaims.Role, grant.Role.ToString()),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    public static bool TryGetToken(HttpRequest request, out string token)
    {
        var header = request.Headers.Authorization.ToString();
        token = header.StartsWith("Bearer igt_", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
        return token.Length > 0;
    }
}
