using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Security;

/// <summary>People with a given role in a workspace, signed in through the real form, with cookie and token clients.</summary>
internal static class SecurityTestKit
{
    public const string Password = "member password 1234";

    public sealed record Member(Guid UserId, string Email, HttpClient Browser, IdentiGuardApp App)
    {
        /// <summary>A personal API token of this member for <paramref name="workspaceId"/> with <paramref name="role"/>.</summary>
        public async Task<HttpClient> TokenClientAsync(Guid workspaceId, WorkspaceRole role)
        {
            var response = await Browser.PostAsJsonAsync("/api/me/tokens", new { name = "test", workspaceId, role = role.ToString(), expiresInDays = 1 });
            Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var value = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
            var client = App.Anonymous();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);
            return client;
        }
    }

    /// <summary>A new user with <paramref name="role"/> in <paramref name="workspaceId"/>, signed in with a cookie.</summary>
    public static async Task<Member> MemberAsync(IdentiGuardApp app, Guid workspaceId, WorkspaceRole role)
    {
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        Guid userId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTime.UtcNow };
            var created = await users.CreateAsync(user, Password);
            Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspaceId, UserId = user.Id, Role = role, AddedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            userId = user.Id;
        }
        return new Member(userId, email, await SignedInAsync(app, email, Password), app);
    }

    /// <summary>A user who owns a workspace of their own (and nothing else).</summary>
    public static async Task<(Member Member, Guid WorkspaceId)> OwnerOfOwnWorkspaceAsync(IdentiGuardApp app)
    {
        var email = $"other-owner-{Guid.NewGuid():N}@example.com";
        var workspaceId = await TestUsers.CreateAsync(app, email, Password, "Workspace B");
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        return (new Member(user!.Id, email, await SignedInAsync(app, email, Password), app), workspaceId);
    }

    public static async Task<HttpClient> SignedInAsync(IdentiGuardApp app, string email, string password)
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        var signedIn = await IdentiGuardApp.SignInAsync(browser, email, password);
        Assert.Equal("/", signedIn.Headers.Location?.ToString());
        return browser;
    }
}
