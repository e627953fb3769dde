using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>Other people: a member of the test workspace with a given role, or an outsider with a workspace of their own.</summary>
internal static class TestMembers
{
    public const string Password = "another correct horse battery";

    /// <summary>A new user who belongs only to a workspace of their own, with an API client signed in as them.</summary>
    public static async Task<(HttpClient Api, Guid WorkspaceId)> OutsiderAsync(IdentiGuardApp app, string email)
    {
        var workspaceId = await TestUsers.CreateAsync(app, email, Password, $"Workspace of {email}");
        return (await ApiClientAsync(app, email, workspaceId, WorkspaceRole.Owner), workspaceId);
    }

    /// <summary>A new user added to the test workspace with <paramref name="role"/>, with an API client signed in as them.</summary>
    public static async Task<(HttpClient Api, Guid UserId)> MemberAsync(IdentiGuardApp app, string email, WorkspaceRole role)
    {
        await TestUsers.CreateAsync(app, email, Password, $"Workspace of {email}");
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<IdentiGuard.Data.Accounts.AppUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = app.WorkspaceId, UserId = user.Id, Role = role, AddedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return (await ApiClientAsync(app, email, app.WorkspaceId, role), user.Id);
    }

    private static async Task<HttpClient> ApiClientAsync(IdentiGuardApp app, string email, Guid workspaceId, WorkspaceRole role)
    {
        var cookies = new System.Net.CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        await IdentiGuardApp.SignInAsync(browser, email, Password);
        var token = await browser.PostAsJsonAsync("/api/me/tokens", new { name = "tests", expiresInDays = 1, workspaceId, role = role.ToString() });
        token.EnsureSuccessStatusCode();
        var value = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
        var api = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);
        return api;
    }
}
