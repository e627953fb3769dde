using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.OktaEmulator.Oidc;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.SignIn;

/// <summary>Single sign-on against the emulated Okta org: the real app, the real redirects, cookies on both sides.</summary>
public sealed partial class SsoTests
{
    private const string Analysts = "IdentiGuard Analysts";
    private const string Admins = "IdentiGuard Admins";

    [Fact]
    public async Task FirstSsoSignIn_CreatesTheAccount_AndGroupsGrantMembership_WhichGoesWhenTheGroupDoes()
    {
        await using var sso = await SsoSetup.StartAsync();
        sso.Okta.Oidc.AddUser("grace@acme.example", "Grace Hopper", "grace password", Analysts, Admins, "Everyone");

        using (var browser = new SignInBrowser(sso.App))
        {
            Assert.Contains("Sign in with Acme Okta", await browser.Client.GetStringAsync("/account/login"));
            Assert.Equal("/", await sso.SignInAsync(browser, "grace@acme.example", "grace password"));
            Assert.Equal("grace@acme.example", (await browser.Client.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("email").GetString());
            var memberships = await browser.Client.GetFromJsonAsync<JsonElement>("/api/workspaces");
            Assert.Equal(new[] { (sso.SocWorkspace, "Admin"), (sso.NocWorkspace, "Viewer") }.OrderBy(m => m.Item1), Roles(memberships));
        }

        // An owner also adds Grace by hand to the bootstrap workspace: SSO must leave that membership alone.
        var userId = await sso.UserIdAsync("grace@acme.example");
        await sso.AddMemberAsync(sso.App.WorkspaceId, userId, WorkspaceRole.Analyst);

        sso.Okta.Oidc.SetGroups("grace@acme.example", Analysts);
        using (var browser = new SignInBrowser(sso.App))
        {
            Assert.Equal("/", await sso.SignInAsync(browser, "grace@acme.example", "grace password"));
            var memberships = await browser.Client.GetFromJsonAsync<JsonElement>("/api/workspaces");
            Assert.Equal(new[] { (sso.App.WorkspaceId, "Analyst"), (sso.SocWorkspace, "Analyst") }.OrderBy(m => m.Item1), Roles(memberships));
            Assert.Equal(HttpStatusCode.NotFound, (await browser.Client.GetAsync($"/api/workspaces/{sso.NocWorkspace}/alerts")).StatusCode);
        }

        await using var scope = sso.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var log = await db.Activity.IgnoreQueryFilters().Where(a => a.Action == "membership.sso").OrderBy(a => a.Id).Select(a => a.Message).ToListAsync();
        Assert.Contains(log, m => m.Contains("grace@acme.example added as Admin by group IdentiGuard Admins"));
        Assert.Contains(log, m => m.Contains("grace@acme.example changed from Admin to Analyst"));
        Assert.Contains(log, m => m.Contains("grace@acme.example removed (Viewer)"));
        Assert.Equal(1, await db.UserLogins.CountAsync(l => l.UserId == userId));
    }

    [Fact]
    public async Task IdentityProviderMfa_SatisfiesAWorkspaceThatRequiresMfa_AndPasswordOnlyDoesNot()
    {
        await using var sso = await SsoSetup.StartAsync();
        await using (var scope = sso.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            await db.Workspaces.Where(w => w.Id == sso.SocWorkspace).ExecuteUpdateAsync(s => s.SetProperty(w => w.RequireMfa, true));
        }
        sso.Okta.Oidc.AddUser("mfa@acme.example", "With MFA", "pw one", Analysts).MfaAtSignIn = true;
        sso.Okta.Oidc.AddUser("pwd@acme.example", "Password only", "pw two", Analysts);

        using var strong = new SignInBrowser(sso.App);
        await sso.SignInAsync(strong, "mfa@acme.example", "pw one");
        Assert.Equal(HttpStatusCode.OK, (await strong.Client.GetAsync($"/api/workspaces/{sso.SocWorkspace}/alerts")).StatusCode);

        using var weak = new SignInBrowser(sso.App);
        await sso.SignInAsync(weak, "pwd@acme.example", "pw two");
        Assert.Equal(HttpStatusCode.Forbidden, (await weak.Client.GetAsync($"/api/workspaces/{sso.SocWorkspace}/alerts")).StatusCode);
    }

    [Fact]
    public async Task SsoNeverTakesOverALocalAccountWithTheSameEmail()
    {
        await using var sso = await SsoSetup.StartAsync();
        sso.Okta.Oidc.AddUser(IdentiGuardApp.AdminEmail, "Impostor", "impostor password", Admins);

        using var browser = new SignInBrowser(sso.App);
        var landed = await sso.SignInAsync(browser, IdentiGuardApp.AdminEmail, "impostor password");
        Assert.Equal("/account/login?error=sso&reason=account-exists", landed);
        Assert.Contains("already exists and is not linked", WebUtility.HtmlDecode(await browser.Client.GetStringAsync(landed)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.GetAsync("/api/me")).StatusCode);
    }

    private static IEnumerable<(Guid, string)> Roles(JsonElement memberships)
        => memberships.EnumerateArray().Select(m => (m.GetProperty("workspaceId").GetGuid(), m.GetProperty("role").GetString()!)).OrderBy(m => m.Item1).ToList();

    /// <summary>An emulated Okta org with an OIDC app pointing at an IdentiGuard host configured for it.</summary>
    private sealed class SsoSetup : IAsyncDisposable
    {
        public required EmulatedOkta Okta { get; init; }
        public required IdentiGuardApp App { get; init; }
        public required Guid SocWorkspace { get; init; }
        public required Guid NocWorkspace { get; init; }

        public static async Task<SsoSetup> StartAsync()
        {
            var okta = await EmulatedOkta.StartAsync(new IdentiGuard.OktaEmulator.OktaEmulatorOptions { LoopbackTestMode = true });
            var port = FreePort.Next();
            var client = okta.Oidc.AddApp([$"http://127.0.0.1:{port}/signin-oidc"]);
            var soc = Guid.NewGuid();
            var noc = Guid.NewGuid();
            var app = await IdentiGuardApp.StartAsync(new Dictionary<string, string?>
            {
                ["IdentiGuard:Oidc:Authority"] = okta.BaseUrl,
                ["IdentiGuard:Oidc:ClientId"] = client.ClientId,
                ["IdentiGuard:Oidc:ClientSecret"] = client.ClientSecret,
                ["IdentiGuard:Oidc:DisplayName"] = "Acme Okta",
                ["IdentiGuard:Oidc:GroupMappings:0:Group"] = Analysts,
                ["IdentiGuard:Oidc:GroupMappings:0:WorkspaceId"] = soc.ToString(),
                ["IdentiGuard:Oidc:GroupMappings:0:Role"] = "Analyst",
                ["IdentiGuard:Oidc:GroupMappings:1:Group"] = Admins,
                ["IdentiGuard:Oidc:GroupMappings:1:WorkspaceId"] = soc.ToString(),
                ["IdentiGuard:Oidc:GroupMappings:1:Role"] = "Admin",
                ["IdentiGuard:Oidc:GroupMappings:2:Group"] = Admins,
                ["IdentiGuard:Oidc:GroupMappings:2:WorkspaceId"] = noc.ToString(),
                ["IdentiGuard:Oidc:GroupMappings:2:Role"] = "Viewer",
            }, port: port);
            var setup = new SsoSetup { Okta = okta, App = app, SocWorkspace = soc, NocWorkspace = noc };
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            db.Workspaces.Add(new Workspace { Id = soc, Name = "SOC", CreatedAt = DateTime.UtcNow });
            db.Workspaces.Add(new Workspace { Id = noc, Name = "NOC", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            return setup;
        }

        /// <summary>
        /// Clicks "Sign in with Acme Okta", fills in the provider's form and follows every redirect across the two
        /// origins; returns where IdentiGuard finally sends the browser.
        /// </summary>
        public async Task<string> SignInAsync(SignInBrowser browser, string username, string password)
        {
            var response = await browser.Client.GetAsync("/account/sso?returnUrl=%2F");
            for (var hops = 0; hops < 10; hops++)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Redirect || response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    // The provider's sign-in form.
                    var page = await response.Content.ReadAsStringAsync();
                    var request = WebUtility.HtmlDecode(PendingRequest().Match(page).Groups[1].Value);
                    response = await browser.Client.PostAsync($"{Okta.BaseUrl}/oauth2/v1/authorize/login", new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["request"] = request, ["username"] = username, ["password"] = password,
                    }));
                    continue;
                }
                var location = response.Headers.Location!;
                var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri(App.BaseUrl), location);
                if (absolute.GetLeftPart(UriPartial.Authority) == App.BaseUrl && !absolute.AbsolutePath.StartsWith("/signin-oidc") && !absolute.AbsolutePath.StartsWith("/account/sso"))
                    return absolute.PathAndQuery;
                response = await browser.Client.GetAsync(absolute);
            }
            throw new InvalidOperationException("Too many redirects.");
        }

        public async Task<Guid> UserIdAsync(string email)
        {
            await using var scope = App.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        }

        public async Task AddMemberAsync(Guid workspaceId, Guid userId, WorkspaceRole role)
        {
            await using var scope = App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspaceId, UserId = userId, Role = role, AddedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Okta.DisposeAsync();
        }
    }

    [GeneratedRegex("name=\"request\" value=\"([^\"]+)\"")]
    private static partial Regex PendingRequest();
}
