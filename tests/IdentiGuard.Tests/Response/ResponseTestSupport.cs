using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Server.Accounts;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Response;

internal static class ResponseTestSupport
{
    /// <summary>
    /// A user's own sign-in from a new place: a monitored event whose alert has the user as actor. Published now, after
    /// the tenant was connected: the history import may store an earlier event first, and its alert is then historical,
    /// which starts no automatic response.
    /// </summary>
    public static JsonObject UserSignsIn(string uuid, OktaUser user) => LogEventFactory.Create(new LogEventSpec
    {
        EventType = "user.session.start",
        DisplayMessage = "User login to Okta",
        Actor = LogEventFactory.UserActor(user.Id, user.Login, $"{user.FirstName} {user.LastName}"),
        ClientIp = "45.86.200.12",
        Uuid = uuid,
    });

    public static async Task<JsonElement> AlertForActorAsync(TestOrg org, string actor)
    {
        var alerts = await TestOrg.EventuallyAsync(() => org.AlertsAsync("?take=200"),
            a => a.GetProperty("items").EnumerateArray().Any(x => x.GetProperty("actor").GetString() == actor), TimeSpan.FromSeconds(30));
        return alerts.GetProperty("items").EnumerateArray().First(x => x.GetProperty("actor").GetString() == actor);
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(HttpClient api, string path, object? body)
    {
        var response = body is null ? await api.PostAsync(path, null) : await api.PostAsJsonAsync(path, body, IdentiGuardApp.Json);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Adds a second member (analyst) to the app's workspace and returns an API client signed in as them.</summary>
    public static async Task<HttpClient> SecondMemberAsync(IdentiGuardApp app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTime.UtcNow };
        var created = await users.CreateAsync(user, "another correct horse battery");
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = app.WorkspaceId, UserId = user.Id, Role = WorkspaceRole.Analyst, AddedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        var caller = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, user.Id.ToString())], "test"));
        var token = await scope.ServiceProvider.GetRequiredService<ApiTokenService>()
            .CreateAsync(caller, "second member", app.WorkspaceId, WorkspaceRole.Analyst, 1, actorIp: null);
        var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Created!.Value);
        return client;
    }

    public static bool IsPath(RecordedRequest r, string method, string path)
        => r.Method == method && Uri.UnescapeDataString(r.PathAndQuery) == path;
}
