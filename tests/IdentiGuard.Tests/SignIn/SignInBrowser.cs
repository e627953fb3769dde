using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.SignIn;

/// <summary>
/// A cookie-keeping HTTP client that signs in the way a browser does (forms with antiforgery tokens, redirects
/// inspected rather than followed), plus an independent RFC 6238 implementation to play the authenticator app.
/// </summary>
internal sealed partial class SignInBrowser(IdentiGuardApp app) : IDisposable
{
    public CookieContainer Cookies { get; } = new();

    private HttpClient? http;

    public HttpClient Client => http ??= new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };

    public Task<HttpResponseMessage> PasswordAsync(string email, string password) => IdentiGuardApp.SignInAsync(Client, email, password);

    /// <summary>Submits a Blazor server-rendered form on <paramref name="path"/>: its handler name, antiforgery token and fields.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, string formName, IDictionary<string, string> fields)
    {
        var page = await Client.GetStringAsync(path);
        var form = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = IdentiGuardApp.AntiforgeryToken(page),
        };
        return await Client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    /// <summary>Enrols the signed-in user: reads the key from the page, proves it with the current code, returns key and recovery codes.</summary>
    public async Task<(string Key, IReadOnlyList<string> RecoveryCodes)> EnrolAsync()
    {
        var page = await Client.GetStringAsync("/account/mfa");
        var key = SharedKey().Match(page).Groups[1].Value.Replace(" ", "").ToUpperInvariant();
        Assert.False(string.IsNullOrEmpty(key), "The enrolment page shows no key.");
        Assert.Contains("<svg", page);
        var response = await SubmitAsync("/account/mfa", "enable", new Dictionary<string, string> { ["EnableCode"] = CodeAt(key, DateTimeOffset.UtcNow) });
        var result = await response.Content.ReadAsStringAsync();
        var codes = RecoveryCode().Matches(result).Select(m => m.Groups[1].Value).ToList();
        Assert.True(codes.Count == 10, "Expected ten recovery codes after enabling MFA:\n" + result);
        return (key, codes);
    }

    /// <summary>The second step of sign-in with an authenticator code or a recovery code.</summary>
    public Task<HttpResponseMessage> SecondFactorAsync(string code, bool recovery = false)
        => SubmitAsync("/account/login/2fa?returnUrl=%2F", "two-factor", new Dictionary<string, string> { ["Code"] = code, ["Recovery"] = recovery ? "true" : "false" });

    /// <summary>Where a redirect sends the browser, as a site-relative path (Blazor's redirects are absolute URLs).</summary>
    public static string? Landing(HttpResponseMessage response)
        => response.Headers.Location is not { } location ? null : location.IsAbsoluteUri ? location.PathAndQuery : location.ToString();

    /// <summary>RFC 6238: HMAC-SHA1 over the 30-second step counter, dynamic truncation, 6 digits.</summary>
    public static string CodeAt(string base32Key, DateTimeOffset time)
    {
        var key = FromBase32(base32Key);
        var counter = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, time.ToUnixTimeSeconds() / 30);
        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0xf;
        var value = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (value % 1_000_000).ToString("D6");
    }

    private static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = string.Concat(text.TrimEnd('=').Select(c => Convert.ToString(alphabet.IndexOf(c), 2).PadLeft(5, '0')));
        return Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray();
    }

    public void Dispose() => http?.Dispose();

    [GeneratedRegex("data-testid=\"shared-key\">([a-z2-7 ]+)<")]
    private static partial Regex SharedKey();

    [GeneratedRegex("<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>")]
    private static partial Regex RecoveryCode();
}
