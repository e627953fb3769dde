using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Security;

/// <summary>Personal API tokens: one workspace, a role no higher than the user's, expiry, revocation, last use, hash only.</summary>
public sealed class ApiTokenTests
{
    [Fact]
    public async Task Token_ActsOnlyInItsWorkspace_WithTheLowerOfItsRoleAndTheMembership()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        // The owner is a member of a second workspace too; a token for the first one does not reach it.
        var second = (await (await app.Api.PostAsJsonAsync("/api/workspaces", new { name = "Second" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("workspaceId").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.GetAsync($"/api/workspaces/{second}/tenants")).StatusCode);
        var listed = await app.Api.GetFromJsonAsync<JsonElement>("/api/workspaces");
        Assert.Equal([app.WorkspaceId], listed.EnumerateArray().Select(w => w.GetProperty("workspaceId").GetGuid()));

        var analyst = await SecurityTestKit.MemberAsync(app, app.WorkspaceId, WorkspaceRole.Analyst);
        var tooHigh = await analyst.Browser.PostAsJsonAsync("/api/me/tokens", new { name = "x", workspaceId = app.WorkspaceId, role = "Admin", expiresInDays = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, tooHigh.StatusCode);
        Assert.Contains("cannot be higher", await tooHigh.Content.ReadAsStringAsync());
        var notMember = await analyst.Browser.PostAsJsonAsync("/api/me/tokens", new { name = "x", workspaceId = second, role = "Viewer", expiresInDays = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, notMember.StatusCode);

        // A viewer token of an owner can read but not administer, and cannot mint a stronger token.
        var viewerToken = await new SecurityTestKit.Member(Guid.Empty, IdentiGuardApp.AdminEmail,
            await SecurityTestKit.SignedInAsync(app, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword), app).TokenClientAsync(app.WorkspaceId, WorkspaceRole.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewerToken.GetAsync(app.WorkspacePath("/tenants"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewerToken.PutAsJsonAsync(app.WorkspacePath("/settings"), new { eventRetentionDays = 30 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await viewerToken.PostAsJsonAsync("/api/me/tokens", new { name = "escalate", workspaceId = app.WorkspaceId, role = "Owner", expiresInDays = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewerToken.PostAsJsonAsync("/api/workspaces", new { name = "Nope" })).StatusCode);
    }

    [Fact]
    public async Task ExpiredOrRevokedToken_IsRefused_AndLastUseIsRecorded_AndOnlyAHashIsStored()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var owner = new SecurityTestKit.Member(Guid.Empty, IdentiGuardApp.AdminEmail,
            await SecurityTestKit.SignedInAsync(app, IdentiGuardApp.AdminEmail, IdentiGuardApp.AdminPassword), app);
        var expiring = await owner.TokenClientAsync(app.WorkspaceId, WorkspaceRole.Viewer);
        var revoked = await owner.TokenClientAsync(app.WorkspaceId, WorkspaceRole.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await expiring.GetAsync(app.WorkspacePath("/alerts"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await revoked.GetAsync(app.WorkspacePath("/alerts"))).StatusCode);

        var tokens = (await owner.Browser.GetFromJsonAsync<JsonElement>("/api/me/tokens")).EnumerateArray().ToList();
        string PrefixOf(HttpClient c) => c.DefaultRequestHeaders.Authorization!.Parameter!.Split('_')[1];
        var expiringRow = tokens.Single(t => t.GetProperty("prefix").GetString() == PrefixOf(expiring));
        var revokedRow = tokens.Single(t => t.GetProperty("prefix").GetString() == PrefixOf(revoked));
        Assert.NotEqual(JsonValueKind.Null, expiringRow.GetProperty("lastUsedAt").ValueKind);
        Assert.Equal("Viewer", expiringRow.GetProperty("role").GetString());

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            var id = expiringRow.GetProperty("id").GetGuid();
            await db.ApiTokens.Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddSeconds(-1)));
            // Nothing stored can be presented as the token.
            var secret = expiring.DefaultRequestHeaders.Authorization!.Parameter!.Split('_', 3)[2];
            var stored = await db.ApiTokens.SingleAsync(t => t.Id == id);
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(stored.SecretHash));
            Assert.Equal(32, stored.SecretHash.Length);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await expiring.GetAsync(app.WorkspacePath("/alerts"))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Browser.DeleteAsync($"/api/me/tokens/{revokedRow.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync(app.WorkspacePath("/alerts"))).StatusCode);
        var audit = await app.Api.GetFromJsonAsync<JsonElement>(app.WorkspacePath("/activity?search=token.revoked"));
        Assert.Contains(PrefixOf(revoked), audit[0].GetProperty("message").GetString());

        using var forged = app.Anonymous();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"igt_{PrefixOf(expiring)}_not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(app.WorkspacePath("/alerts"))).StatusCode);
    }
}
