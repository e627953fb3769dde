using Microsoft.AspNetCore.Identity;

namespace IdentiGuard.Data.Accounts;

/// <summary>A person who signs in to IdentiGuard. Instance owners manage every workspace.</summary>
public sealed class AppUser : IdentityUser<Guid>
{
    public bool IsInstanceOwner { get; set; }
    public DateTime CreatedAt { get; set; }
}
