using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Infrastructure;

internal static class TestUsers
{
    /// <summary>Creates a user with a workspace of their own, straight through the app's identity store.</summary>
    public static async Task<Guid> CreateAsync(IdentiGuardApp app, string email, string password, string workspaceName)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTime.UtcNow };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = workspaceName, CreatedAt = DateTime.UtcNow };
        db.Workspaces.Add(workspace);
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = user.Id, Role = WorkspaceRole.Owner, AddedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return workspace.Id;
    }
}
