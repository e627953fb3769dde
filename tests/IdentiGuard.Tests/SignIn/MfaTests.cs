using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Data.Accounts;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentiGuard.Tests.SignIn;

public sealed class MfaTests
{
    private const string Password = "member password 123";

    [Fact]
    public async Task EnrolledUser_SignsInWithPasswordThenAuthenticatorCode_AndTheSameCodeCannotBeReplayed()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var email = await NewUserAsync(app);
        string key;
        using (var enrolling = new SignInBrowser(app))
        {
            Assert.Equal("/", (await enrolling.PasswordAsync(email, Password)).Headers.Location!.ToString());
            (key, _) = await enrolling.EnrolAsync();
        }

        using var browser = new SignInBrowser(app);
        var password = await browser.PasswordAsync(email, Password);
        Assert.Equal("/account/login/2fa?returnUrl=%2F", password.Headers.Location!.ToString());
        // Half signed in: the password alone opens nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.GetAsync("/api/me")).StatusCode);

        // The next step's code (enrolment consumed the current one; one step of clock skew is accepted).
        var code = SignInBrowser.CodeAt(key, DateTimeOffset.UtcNow.AddSeconds(30));
        var second = await browser.SecondFactorAsync(code);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal("/", SignInBrowser.Landing(second));
        var me = await browser.Client.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(email, me.GetProperty("email").GetString());

        using var replaying = new SignInBrowser(app);
        await replaying.PasswordAsync(email, Password);
        var replay = await replaying.SecondFactorAsync(code);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("already used", await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await replaying.Client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task RecoveryCode_SignsInOnce_AndIsStoredOnlyAsAHash()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var email = await NewUserAsync(app);
        IReadOnlyList<string> codes;
        using (var enrolling = new SignInBrowser(app))
        {
            await enrolling.PasswordAsync(email, Password);
            (_, codes) = await enrolling.EnrolAsync();
        }

        using var first = new SignInBrowser(app);
        await first.PasswordAsync(email, Password);
        var used = await first.SecondFactorAsync(codes[0].ToLowerInvariant(), recovery: true);
        Assert.Equal("/", SignInBrowser.Landing(used));

        using var second = new SignInBrowser(app);
        await second.PasswordAsync(email, Password);
        var reused = await second.SecondFactorAsync(codes[0], recovery: true);
        Assert.Contains("not valid or was already used", await reused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.Client.GetAsync("/api/me")).StatusCode);
        Assert.Equal("/", SignInBrowser.Landing(await second.SecondFactorAsync(codes[1], recovery: true)));

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var stored = await db.UserTokens.Where(t => t.UserId == user.Id).Select(t => t.Value ?? "").ToListAsync();
        Assert.DoesNotContain(stored, value => codes.Any(code => value.Contains(code, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(8, await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().CountRecoveryCodesAsync(user));
    }

    [Fact]
    public async Task WrongCodesAtTheSecondStep_LockTheAccount()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var email = await NewUserAsync(app);
        string key;
        using (var enrolling = new SignInBrowser(app))
        {
            await enrolling.PasswordAsync(email, Password);
            (key, _) = await enrolling.EnrolAsync();
        }

        using var attacker = new SignInBrowser(app);
        await attacker.PasswordAsync(email, Password);
        // Five wrong codes lock the account, as five wrong passwords do.
        var outcomes = new List<string?>();
        for (var i = 0; i < 6; i++) outcomes.Add(SignInBrowser.Landing(await attacker.SecondFactorAsync(i.ToString("D6"))));
        Assert.Equal([null, null, null, null, "/account/login?error=locked", "/account/login?error=locked"], outcomes);

        // Even the right password and a right code are refused while locked.
        using var owner = new SignInBrowser(app);
        var password = await owner.PasswordAsync(email, Password);
        Assert.Contains("error=locked", password.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Client.GetAsync("/api/me")).StatusCode);
        Assert.NotEmpty(key);
    }

    [Fact]
    public async Task DisablingMfa_NeedsACurrentCode()
    {
        await using var app = await IdentiGuardApp.StartAsync();
        var email = await NewUserAsync(app);
        using var browser = new SignInBrowser(app);
        await browser.PasswordAsync(email, Password);
        var (key, _) = await browser.EnrolAsync();

        var refused = await browser.SubmitAsync("/account/mfa", "disable", new Dictionary<string, string> { ["DisableCode"] = "000000" });
        Assert.Contains("stays on", await refused.Content.ReadAsStringAsync());
        var disabled = await browser.SubmitAsync("/account/mfa", "disable",
            new Dictionary<string, string> { ["DisableCode"] = SignInBrowser.CodeAt(key, DateTimeOffset.UtcNow.AddSeconds(30)) });
        Assert.Contains("Verify and turn on", await disabled.Content.ReadAsStringAsync());

        using var again = new SignInBrowser(app);
        Assert.Equal("/", (await again.PasswordAsync(email, Password)).Headers.Location!.ToString());
    }

    /// <summary>A user who owns a workspace of their own; returns the e-mail.</summary>
    internal static async Task<string> NewUserAsync(IdentiGuardApp app, string? workspaceName = null)
    {
        var email = $"member-{Guid.NewGuid():N}@example.com";
        await TestUsers.CreateAsync(app, email, Password, workspaceName ?? "Member's");
        return email;
    }

    internal static string MemberPassword => Password;
}
