using IdentiGuard.Server.Okta;

namespace IdentiGuard.Tests.Tenants;

public sealed class OktaDomainTests
{
    [Theory]
    [InlineData("acme.okta.com", "https://acme.okta.com")]
    [InlineData("https://acme.okta.com/", "https://acme.okta.com")]
    [InlineData("  https://ACME.okta.com/app/UserHome  ", "https://acme.okta.com")]
    [InlineData("login.acme.com", "https://login.acme.com")]
    [InlineData("https://acme.oktapreview.com:8443", "https://acme.oktapreview.com:8443")]
    public void AcceptedDomains_AreNormalisedToTheOrigin(string input, string expected)
    {
        Assert.True(OktaDomain.TryNormalize(input, allowInsecureLoopback: false, out var origin, out var error), error);
        Assert.Equal(expected, origin);
    }

    [Fact]
    public void AdminDomain_ExplainsWhichDomainToUse()
    {
        Assert.False(OktaDomain.TryNormalize("https://acme-admin.okta.com", false, out _, out var error));
        Assert.Contains("acme.okta.com", error);
        Assert.Contains("Admin Console", error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8181", true, true)]
    [InlineData("http://localhost:8181", true, true)]
    [InlineData("http://127.0.0.1:8181", false, false)]
    [InlineData("http://acme.okta.com", true, false)]
    public void PlainHttp_IsAcceptedOnlyOnLoopbackWhenAllowed(string input, bool allowLoopback, bool accepted)
        => Assert.Equal(accepted, OktaDomain.TryNormalize(input, allowLoopback, out _, out _));
}
