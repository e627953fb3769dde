using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Accounts;

/// <summary>Creates the first instance owner and a workspace, from bootstrap settings or the setup page.</summary>
public sealed class OwnerBootstrap(UserManager<AppUser> users, IdentiGuardDbContext db, TimeProvider time)
{
    public Task<bool> IsSetUpAsync(CancellationToken ct = default) => db.Users.AnyAsync(ct);

    /// <returns>Null on success, else the reasons the account could not be created.</returns>
    public async Task<IReadOnlyList<string>?> CreateOwnerAsync(string email, string password, string workspaceName, CancellationToken ct = default)
    {
        if (await IsSetUpAsync(ct)) return ["IdentiGuard is already set up. Sign in instead."];
        if (string.IsNullOrWhiteSpace(workspaceName)) return ["Enter a workspace name."];

        var now = time.GetUtcNow().UtcDateTime;
        var user = new AppUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, IsInstanceOwner = true, CreatedAt = now };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded) return result.Errors.Select(e => e.Description).ToList();

        var workspace = new Workspace { Id = Guid.NewGuid(), Name = workspaceName.Trim(), CreatedAt = now };
        db.Workspaces.Add(workspace);
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = user.Id, Role = WorkspaceRole.Owner, AddedAt = now });
        await db.SaveChangesAsync(ct);
        return null;
    }
}

/// <summary>Runs <see cref="OwnerBootstrap"/> at start when <c>IdentiGuard:Bootstrap</c> is configured.</summary>
internal sealed partial class OwnerBootstrapService(IServiceProvider services, IOptions<BootstrapOptions> options, ILogger<OwnerBootstrapService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bootstrap = options.Value;
        if (string.IsNullOrWhiteSpace(bootstrap.AdminEmail) || string.IsNullOrEmpty(bootstrap.AdminPassword)) return;

        await using var scope = services.CreateAsyncScope();
        var owner = scope.ServiceProvider.GetRequiredService<OwnerBootstrap>();
        if (await owner.IsSetUpAsync(cancellationToken)) return;
        var errors = await owner.CreateOwnerAsync(bootstrap.AdminEmail, bootstrap.AdminPassword, bootstrap.WorkspaceName, cancellationToken);
        if (errors is not null) throw new InvalidOperationException("IdentiGuard:Bootstrap could not create the owner: " + string.Join(" ", errors));
        Created(logger, bootstrap.AdminEmail);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first owner {Email} from bootstrap settings")]
    private static partial void Created(ILogger logger, string email);
}
