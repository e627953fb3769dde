using IdentiGuard.Data.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using IdentiGuard.Server.Oidc;

namespace IdentiGuard.Server.Accounts;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Form posts from the static sign-in and setup pages (antiforgery is validated for form-bound endpoints).
        var forms = app.MapGroup("/account").ExcludeFromDescription();
        forms.MapPost("/login", SignInAsync);
        forms.MapPost("/logout", SignOutAsync);
        forms.MapPost("/setup", SetUpAsync);
        app.MapSsoEndpoints();

        var api = app.MapGroup("/api/me").RequireAuthorization().WithTags("Account");
        api.MapGet("/", (HttpContext http) => TypedResults.Ok(new MeResponse(http.User.UserId()!.Value, http.User.DisplayName())));
        return app;
    }

    public sealed record MeResponse(Guid Id, string Email);

    private static async Task<RedirectHttpResult> SignInAsync([FromForm] string email, [FromForm] string password, [FromForm] string? returnUrl, SignInManager<AppUser> signIn)
    {
        var result = await signIn.PasswordSignInAsync(email?.Trim() ?? "", password ?? "", isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded) return TypedResults.LocalRedirect(SafeReturnUrl(returnUrl));
        if (result.RequiresTwoFactor) return TypedResults.LocalRedirect("/account/login/2fa?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl(returnUrl)));
        var error = result.IsLockedOut ? "locked" : "invalid";
        return TypedResults.Redirect($"/account/login?error={error}&returnUrl={Uri.EscapeDataString(SafeReturnUrl(returnUrl))}");
    }

    private static async Task<RedirectHttpResult> SignOutAsync(SignInManager<AppUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect("/account/login");
    }

    private static async Task<RedirectHttpResult> SetUpAsync([FromForm] string email, [FromForm] string password, [FromForm] string workspaceName,
        OwnerBootstrap owner, SignInManager<AppUser> signIn, UserManager<AppUser> users, CancellationToken ct)
    {
        var errors = await owner.CreateOwnerAsync(email ?? "", password ?? "", workspaceName ?? "", ct);
        if (errors is not null) return TypedResults.Redirect("/setup?error=" + Uri.EscapeDataString(string.Join(" ", errors)));
        var user = await users.FindByEmailAsync(email!.Trim());
        await signIn.SignInAsync(user!, isPersistent: false);
        return TypedResults.LocalRedirect("/");
    }

    private static string SafeReturnUrl(string? returnUrl) => ReturnUrls.Safe(returnUrl);
}
