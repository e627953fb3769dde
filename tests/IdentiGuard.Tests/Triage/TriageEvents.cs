using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Triage;

/// <summary>Okta events that raise monitored-event alerts, and helpers to find those alerts through the API.</summary>
internal static class TriageEvents
{
    public static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-20);

    /// <summary>An MFA verification by <paramref name="login"/> (one alert per user and hour).</summary>
    public static JsonObject MfaVerify(string login, int second, string ip = "142.126.158.61", string? displayMessage = null, int? asn = 577, bool? proxy = false) =>
        LogEventFactory.Create(new LogEventSpec
        {
            EventType = "user.authentication.auth_via_mfa",
            DisplayMessage = displayMessage ?? "Authentication of user via MFA",
            Actor = LogEventFactory.UserActor("00u" + login.Split('@')[0].Replace(".", ""), login, login),
            ClientIp = ip,
            SecurityContext = LogEventFactory.SecurityContext(asn, "Example AS", "Example ISP", "example.com", proxy),
            DebugData = new JsonObject { ["factor"] = "OKTA_VERIFY_PUSH" },
            Published = Start.AddSeconds(second),
            Uuid = $"mfa-{login}-{second}-{Guid.NewGuid():N}",
        });

    public static async Task SendAsync(TestOrg org, params JsonObject[] events)
    {
        foreach (var e in events) await org.Okta.EmitAsync(e);
        await org.Okta.WhenDeliveriesIdleAsync();
    }

    public static async Task<List<JsonElement>> ListAsync(HttpClient api, string path)
    {
        var page = await api.GetFromJsonAsync<JsonElement>(path, IdentiGuardApp.Json);
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    /// <summary>Waits for the visible monitored-event alert of <paramref name="login"/> and returns its id.</summary>
    public static async Task<Guid> AlertOfAsync(TestOrg org, string login, string query = "")
    {
        var items = await TestOrg.EventuallyAsync(() => ListAsync(org.App.Api, org.App.WorkspacePath("/alerts?kind=MonitoredEvent&take=200" + query)),
            a => a.Any(x => x.GetProperty("actor").GetString() == login), TimeSpan.FromSeconds(30));
        return Assert.Single(items, x => x.GetProperty("actor").GetString() == login).GetProperty("id").GetGuid();
    }
}
