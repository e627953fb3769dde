using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Tests.Infrastructure;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Tests.Tenants;

/// <summary>
/// The token request's Basic header form-encodes client id and secret before base64 (RFC 6749 §2.3.1), as Okta and the
/// emulator decode it: a secret with '+', '%', ':' and a space still authenticates.
/// </summary>
public sealed class ClientAuthenticationEncodingTests
{
    [Fact]
    public async Task ASecretWithPlusPercentColonAndSpace_ConnectsTheTenant()
    {
        const string secret = "a+b%2Fc:d e:f%";
        await using var okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions { LoopbackTestMode = true, SeedClientSecret = secret });
        await using var app = await IdentiGuardApp.StartAsync();

        var response = await app.Api.PostAsJsonAsync(app.WorkspacePath("/tenants"), new { clientId = okta.SeedClient.ClientId, clientSecret = secret, domainUrl = okta.BaseUrl });
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal("Connected", JsonDocument.Parse(body).RootElement.GetProperty("tenant").GetProperty("status").GetString());
        // Unencoded, the emulator would have split at the first ':' and decoded "+" and "%2F": proof the secret went through intact.
        Assert.Contains(okta.Requests, r => r.PathAndQuery.StartsWith("/oauth2/v1/token", StringComparison.Ordinal) && r.StatusCode == 200);
    }
}
