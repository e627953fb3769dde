using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Server.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace IdentiGuard.Server.Accounts;

public static class AccountsExtensions
{
    /// <summary>Cookie sign-in for the UI, personal API tokens for the REST API, chosen per request.</summary>
    private const string PolicyScheme = "IdentiGuard";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<BootstrapOptions>(BootstrapOptions.Section);
        services.AddScoped<OwnerBootstrap>();
        services.AddScoped<ApiTokenService>();
        services.AddHostedService<OwnerBootstrapService>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = PolicyScheme;
                o.DefaultChallengeScheme = PolicyScheme;
            })
            .AddPolicyScheme(PolicyScheme, "Cookie or API token", o => o.ForwardDefaultSelector = context =>
                ApiTokenAuthenticationHandler.TryGetToken(context.Request, out _) ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "identiguard.auth";
            // Cookie flags, idle timeout and absolute lifetime: SessionLifetime (IdentiGuard:SignIn).
            cookie.LoginPath = "/account/login";
            cookie.AccessDeniedPath = "/account/login";
            // The REST API answers 401/403 instead of redirecting to the sign-in page.
            cookie.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });

        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<IdentiGuardDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
