using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http;

namespace IdentiGuard.Server.Accounts;

/// <summary>Section <c>IdentiGuard:SignIn</c>: session lifetime, cookie flags and sign-in rate limiting.</summary>
public sealed class SignInOptions : IValidatableObject
{
    public const string Section = "IdentiGuard:SignIn";

    /// <summary>A session ends after this long without a request (sliding: each request renews it).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A session ends this long after sign-in however active it is.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary><c>Always</c> behind a TLS-terminating proxy (the app then sees plain HTTP but browsers use HTTPS).</summary>
    public CookieSecurePolicy CookieSecurePolicy { get; set; } = CookieSecurePolicy.SameAsRequest;

    /// <summary>Sign-in attempts (password, second factor, setup, SSO start, MFA changes) allowed per client IP address per window.</summary>
    [Range(1, 100_000)]
    public int RateLimitPermits { get; set; } = 10;

    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IdleTimeout <= TimeSpan.Zero) yield return new ValidationResult("IdleTimeout must be positive.", [nameof(IdleTimeout)]);
        if (AbsoluteLifetime < IdleTimeout) yield return new ValidationResult("AbsoluteLifetime must be at least IdleTimeout.", [nameof(AbsoluteLifetime)]);
        if (RateLimitWindow <= TimeSpan.Zero) yield return new ValidationResult("RateLimitWindow must be positive.", [nameof(RateLimitWindow)]);
    }
}
