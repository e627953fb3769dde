using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentiGuard.Tests.Infrastructure;

namespace IdentiGuard.Tests.Triage;

/// <summary>Exports with evidence for the list's filters, entity views of users and IPs, and the incident grouping.</summary>
public sealed class ExportAndEntityTests
{
    /// <summary>RFC 4180 fields of one CSV record (quotes and doubled quotes).</summary>
    private static List<string> CsvFields(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }

    [Fact]
    public async Task CsvAndJsonExports_CarryTheFilteredAlertsWithTheirEvidence()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var api = org.App.Api;
        var mallory = TriageEvents.MfaVerify("mallory@acme.example", 0, displayMessage: "=HYPERLINK(\"http://evil.example\"), \"quoted\"");
        await TriageEvents.SendAsync(org, mallory, TriageEvents.MfaVerify("ivy@acme.example", 3));
        var malloryId = await TriageEvents.AlertOfAsync(org, "mallory@acme.example");
        var ivyId = await TriageEvents.AlertOfAsync(org, "ivy@acme.example");
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync(org.App.WorkspacePath($"/alerts/{malloryId}/status"), new { status = "Resolved", reason = "Known tester" })).StatusCode);

        var csvResponse = await api.GetAsync(org.App.WorkspacePath("/alerts/export.csv?status=Resolved"));
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", csvResponse.Content.Headers.ContentDisposition?.ToString());
        var lines = (await csvResponse.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, string.Join("\n", lines));
        var header = CsvFields(lines[0]);
        var row = CsvFields(lines[1]);
        string Cell(string column) => row[header.IndexOf(column)];
        Assert.Equal(malloryId.ToString(), Cell("id"));
        Assert.Equal("Resolved", Cell("status"));
        Assert.Equal("Known tester", Cell("statusReason"));
        Assert.Equal("mallory@acme.example", Cell("actor"));
        Assert.Equal("1", Cell("count"));
        // A title starting with "=" cannot become a spreadsheet formula; quotes and commas survive the round trip.
        Assert.Equal("'=HYPERLINK(\"http://evil.example\"), \"quoted\"", Cell("title"));
        Assert.Equal(mallory["uuid"]!.GetValue<string>(), Cell("evidenceUuids"));

        var json = await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/alerts/export.json?search=ivy"));
        var exported = Assert.Single(json.EnumerateArray());
        Assert.Equal(ivyId, exported.GetProperty("id").GetGuid());
        Assert.Equal("New", exported.GetProperty("status").GetString());
        var evidence = Assert.Single(exported.GetProperty("events").EnumerateArray());
        Assert.Equal("user.authentication.auth_via_mfa", evidence.GetProperty("raw").GetProperty("eventType").GetString());
        Assert.Equal("ivy@acme.example", evidence.GetProperty("raw").GetProperty("actor").GetProperty("alternateId").GetString());

        Assert.Equal(2, (await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/alerts/export.json?eventType=user.authentication.auth_via_mfa"))).GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync(org.App.WorkspacePath("/alerts/export.csv?minSeverity=Huge"))).StatusCode);
    }

    [Fact]
    public async Task UserAndIpPages_SummariseLocationsDevicesNetworkAndAlerts_AndIncidentGroupsBySharedIp()
    {
        await using var org = await TestOrg.StartAsync();
        await org.ConnectedTenantAsync();
        var api = org.App.Api;
        await TriageEvents.SendAsync(org,
            TriageEvents.MfaVerify("jo@acme.example", 0, ip: "203.0.113.9", asn: 64500, proxy: true),
            TriageEvents.MfaVerify("kim@acme.example", 20, ip: "203.0.113.9", asn: 64500, proxy: true),
            TriageEvents.MfaVerify("jo@acme.example", 40, ip: "192.0.2.44"));
        var jo = await TriageEvents.AlertOfAsync(org, "jo@acme.example");
        var kim = await TriageEvents.AlertOfAsync(org, "kim@acme.example");

        var userResponse = await api.GetAsync(org.App.WorkspacePath("/entities/users/jo@acme.example"));
        Assert.True(userResponse.IsSuccessStatusCode, string.Join("\n", org.App.Logs.Lines.Where(l => l.Contains("Exception")).Take(3)));
        var user = await userResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, user.GetProperty("eventCount").GetInt32());
        Assert.Equal("jo@acme.example", user.GetProperty("login").GetString());
        var location = Assert.Single(user.GetProperty("locations").EnumerateArray());
        Assert.Equal(("Toronto", "Canada", 2), (location.GetProperty("city").GetString(), location.GetProperty("country").GetString(), location.GetProperty("count").GetInt32()));
        var device = Assert.Single(user.GetProperty("devices").EnumerateArray());
        Assert.Equal(("CHROME", "Mac OS X"), (device.GetProperty("browser").GetString(), device.GetProperty("os").GetString()));
        Assert.Equal(["192.0.2.44", "203.0.113.9"], user.GetProperty("ips").EnumerateArray().Select(i => i.GetProperty("ip").GetString()).Order());
        Assert.Equal(jo, Assert.Single(user.GetProperty("alerts").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(org.App.WorkspacePath("/entities/users/nobody@acme.example"))).StatusCode);

        var ip = await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath("/entities/ips/203.0.113.9"));
        Assert.Equal(64500, ip.GetProperty("asn").GetInt64());
        Assert.True(ip.GetProperty("isProxy").GetBoolean());
        Assert.Equal(["jo@acme.example", "kim@acme.example"], ip.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("user").GetString()).Order());
        Assert.Equal(new[] { jo, kim }.Order(), ip.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).Order());

        // Kim's alert shares an IP with Jo's: one incident with both alerts and a timeline of their events.
        var incident = await api.GetFromJsonAsync<JsonElement>(org.App.WorkspacePath($"/alerts/{kim}/incident"));
        Assert.Equal(new[] { jo, kim }.Order(), incident.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).Order());
        var timeline = incident.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("published").GetDateTime()).ToList();
        Assert.Equal(3, timeline.Count);
        Assert.Equal(timeline.Order(), timeline);
    }
}
