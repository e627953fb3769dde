using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.Tenants;

public sealed class SecretHandlingTests
{
    [Fact]
    public async Task ClientSecret_NeverAppearsInLogsResponsesPagesActivityOrTheDatabase()
    {
        await using var org = await TestOrg.StartAsync();
        var secret = org.Okta.SeedClient.ClientSecret;
        var (created, body) = await org.AddTenantAsync();
        var tenantId = body.GetProperty("tenant").GetProperty("id").GetGuid();

        // Exercise every path that handles the secret: create, edit with and without a new secret, retry, failure.
        await org.App.Api.PutAsJsonAsync(org.App.WorkspacePath($"/tenants/{tenantId}"), new { clientId = org.Okta.SeedClient.ClientId, clientSecret = "", domainUrl = org.Okta.BaseUrl });
        await org.App.Api.PostAsync(org.App.WorkspacePath($"/tenants/{tenantId}/retry"), null);
        await org.AddTenantAsync(clientSecret: secret + "-wrong");

        var seen = new List<string>
        {
            await created.Content.ReadAsStringAsync(),
            await org.App.Api.GetStringAsync(org.App.WorkspacePath("/tenants")),
            await org.App.Api.GetStringAsync(org.App.WorkspacePath($"/tenants/{tenantId}")),
            await org.App.Api.GetStringAsync(org.App.WorkspacePath("/activity?take=500")),
        };
        seen.AddRange(org.App.Logs.Lines);
        Assert.All(seen, text => Assert.DoesNotContain(secret, text));

        await using var scope = org.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var stored = await db.Tenants.IgnoreQueryFilters().Select(t => t.ClientSecretProtected + t.HookSecretProtected).ToListAsync();
        Assert.All(stored, s => Assert.DoesNotContain(secret, s));
        var hookSecret = org.Okta.Hooks.First().AuthSchemeValue!;
        Assert.All(stored, s => Assert.DoesNotContain(hookSecret, s));
        Assert.All(org.App.Logs.Lines, line => Assert.DoesNotContain(hookSecret, line));
    }

    [Fact]
    public async Task TenantView_SaysASecretIsStoredWithoutShowingIt()
    {
        await using var org = await TestOrg.StartAsync();
        var tenant = await org.ConnectedTenantAsync();
        Assert.True(tenant.GetProperty("hasClientSecret").GetBoolean());
        Assert.False(tenant.TryGetProperty("clientSecret", out _));
    }
}
