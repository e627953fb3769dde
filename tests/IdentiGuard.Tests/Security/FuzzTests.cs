using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using IdentiGuard.Data;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IdentiGuard.Tests.Security;

/// <summary>
/// Hostile input, generated deterministically from a seed: broken and truncated JSON, wrong types, huge strings, deep
/// nesting, invalid UTF-8, wrong content types, oversized bodies and header injection, sent with valid credentials
/// (so they reach parsing and validation) to the hook endpoint and the API. No 5xx, nothing stored, still healthy.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261129;
    private const int MaxHookBytes = 256 * 1024;

    /// <summary>A target and a valid body whose fields are mutated; <c>Kinds</c> says what each field must be.</summary>
    private sealed record Target(string Method, string Path, bool IsHook, JsonObject Valid, Dictionary<string, FieldKind> Kinds);

    private enum FieldKind { Text, Number, Bool, Array, Object }

    [Fact]
    public async Task ThousandsOfHostilePayloads_GetNo5xx_StoreNothing_AndLeaveTheAppHealthy()
    {
        await using var org = await TestOrg.StartAsync(new Dictionary<string, string?>
        {
            ["IdentiGuard:MaxHookBodyBytes"] = MaxHookBytes.ToString(), ["IdentiGuard:Polling:Enabled"] = "false",
        });
        var app = org.App;
        var tenantId = (await org.ConnectedTenantAsync()).GetProperty("id").GetGuid();
        var hookSecret = org.Okta.Hooks.Single().AuthSchemeValue!;
        var memberId = (await app.Api.GetFromJsonAsync<System.Text.Json.JsonElement>(app.WorkspacePath("/members")))[0].GetProperty("userId").GetGuid();
        var targets = Targets(app, tenantId, memberId);
        var before = await CountRowsAsync(app);

        var random = new Random(Seed);
        var sent = 0;
        var failures = new List<string>();
        var byKind = new Dictionary<string, int>();
        using var client = app.Anonymous();
        foreach (var target in targets)
        {
            for (var i = 0; i < 90; i++)
            {
                var (kind, body, contentType) = Mutate(target, random);
                byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
                using var request = new HttpRequestMessage(new HttpMethod(target.Method), target.Path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                if (target.IsHook) request.Headers.TryAddWithoutValidation("Authorization", hookSecret);
                else request.Headers.Authorization = app.Api.DefaultRequestHeaders.Authorization;
                if (random.Next(10) == 0) request.Headers.TryAddWithoutValidation("X-Fuzz", HostileHeader(random));
                var status = await SendAsync(client, request);
                sent++;
                if (status >= 500) failures.Add($"{target.Method} {target.Path} [{kind}, {body.Length} bytes, {contentType}] → {status}");
                if (status is >= 200 and < 300) failures.Add($"{target.Method} {target.Path} [{kind}, {body.Length} bytes, {contentType}] was accepted ({status}): {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)))}");
            }
        }

        // Header injection and malformed requests only a raw socket can send (HttpClient refuses CR/LF in headers).
        foreach (var raw in RawRequests(tenantId, hookSecret, app.Api.DefaultRequestHeaders.Authorization!.ToString(), app.WorkspacePath("/support"), random))
        {
            var status = await SendRawAsync(app.Port, raw);
            sent++;
            byKind["header injection (raw)"] = byKind.GetValueOrDefault("header injection (raw)") + 1;
            if (status is >= 500 or 0) failures.Add($"raw request → {status}: {Encoding.ASCII.GetString(raw.AsSpan(0, Math.Min(raw.Length, 120))).ReplaceLineEndings("⏎")}");
        }

        output.WriteLine($"seed {Seed}: {sent} payloads; " + string.Join(", ", byKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")));
        Assert.True(sent >= 1000, $"only {sent} payloads");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)) + "\n" + ServerErrors(app));
        Assert.Equal(before, await CountRowsAsync(app));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Api.GetAsync(app.WorkspacePath("/tenants"))).StatusCode);
    }

    private static List<Target> Targets(IdentiGuardApp app, Guid tenantId, Guid memberId)
    {
        var envelope = new JsonObject
        {
            ["eventType"] = "com.okta.event_hook", ["eventTypeVersion"] = "1.0", ["cloudEventsVersion"] = "0.1", ["source"] = "https://acme.okta.com/api/v1/eventHooks/who1",
            ["eventId"] = "fuzz", ["eventTime"] = "2026-11-29T10:00:00.000Z", ["contentType"] = "application/json",
            ["data"] = new JsonObject
            {
                ["events"] = new JsonArray(new JsonObject
                {
                    ["uuid"] = "fuzz-event", ["published"] = "2026-11-29T10:00:00.000Z", ["eventType"] = "user.session.start", ["version"] = "0",
                    ["severity"] = "INFO", ["displayMessage"] = "User login", ["actor"] = new JsonObject { ["id"] = "00u1", ["type"] = "User", ["alternateId"] = "u@acme.com" },
                }),
            },
        };
        return
        [
            // Hook: mutations of the structure Okta sends (the envelope's data and events), which the parser must refuse.
            new("POST", $"/hooks/okta/{tenantId}", true, envelope, new() { ["data"] = FieldKind.Object }),
            new("POST", $"/hooks/okta/{tenantId}", true, envelope, new() { ["data"] = FieldKind.Object }),
            new("POST", $"/hooks/okta/{tenantId}", true, envelope, new() { ["data"] = FieldKind.Object }),
            new("POST", app.WorkspacePath("/tenants"), false,
                new JsonObject { ["clientId"] = "0oa1", ["clientSecret"] = "s", ["domainUrl"] = "https://acme.okta.com", ["eventTypes"] = new JsonArray("user.session.start") },
                new() { ["clientId"] = FieldKind.Text, ["clientSecret"] = FieldKind.Text, ["domainUrl"] = FieldKind.Text, ["eventTypes"] = FieldKind.Array }),
            new("PUT", app.WorkspacePath($"/tenants/{tenantId}"), false,
                new JsonObject { ["clientId"] = "0oa1", ["domainUrl"] = "https://acme.okta.com", ["name"] = "n" },
                new() { ["clientId"] = FieldKind.Text, ["domainUrl"] = FieldKind.Text }),
            new("POST", app.WorkspacePath($"/tenants/{tenantId}/client-secret"), false, new JsonObject { ["clientSecret"] = "s" }, new() { ["clientSecret"] = FieldKind.Text }),
            new("PUT", app.WorkspacePath("/rules/custom/fuzz.yml"), false, new JsonObject { ["yaml"] = "title: x" }, new() { ["yaml"] = FieldKind.Text }),
            new("PUT", app.WorkspacePath("/rules/okta-admin-role-assigned/settings"), false,
                new JsonObject { ["enabled"] = true, ["parameters"] = new JsonObject() }, new() { ["enabled"] = FieldKind.Bool, ["parameters"] = FieldKind.Object }),
            new("POST", app.WorkspacePath("/support"), false,
                new JsonObject { ["subject"] = "s", ["description"] = "d", ["contactEmail"] = "a@example.com", ["attachDiagnostics"] = false },
                new() { ["subject"] = FieldKind.Text, ["description"] = FieldKind.Text, ["contactEmail"] = FieldKind.Text, ["attachDiagnostics"] = FieldKind.Bool }),
            new("POST", app.WorkspacePath("/invitations"), false, new JsonObject { ["email"] = "x@example.com", ["role"] = "Viewer" },
                new() { ["email"] = FieldKind.Text, ["role"] = FieldKind.Text }),
            new("PUT", app.WorkspacePath($"/members/{memberId}/role"), false, new JsonObject { ["role"] = "Owner" }, new() { ["role"] = FieldKind.Text }),
            new("PUT", app.WorkspacePath("/settings"), false, new JsonObject { ["eventRetentionDays"] = 90 }, new() { ["eventRetentionDays"] = FieldKind.Number }),
            new("POST", "/api/me/tokens", false, new JsonObject { ["name"] = "n", ["workspaceId"] = app.WorkspaceId.ToString(), ["role"] = "Viewer" },
                new() { ["name"] = FieldKind.Text, ["workspaceId"] = FieldKind.Text, ["role"] = FieldKind.Text }),
        ];
    }

    /// <summary>One hostile variant of the target's valid body; never a valid body (a valid one would be stored).</summary>
    private static (string Kind, byte[] Body, string ContentType) Mutate(Target target, Random random)
    {
        var valid = Encoding.UTF8.GetBytes(target.Valid.ToJsonString());
        const string json = "application/json";
        switch (random.Next(9))
        {
            case 0: // truncated
                return ("truncated", valid[..random.Next(0, valid.Length - 1)], json);
            case 1: // broken syntax
            {
                var bytes = (byte[])valid.Clone();
                for (var i = 0; i < 1 + random.Next(4); i++) bytes[random.Next(bytes.Length)] = (byte)"{}[]\":,\\"[random.Next(8)];
                var broken = Encoding.UTF8.GetString(bytes);
                return ("broken JSON", Encoding.UTF8.GetBytes(broken.Replace("{", "{{", StringComparison.Ordinal)), json);
            }
            case 2: // wrong type in a field that must have another
            {
                var body = (JsonObject)target.Valid.DeepClone();
                var (field, kind) = target.Kinds.ElementAt(random.Next(target.Kinds.Count));
                body[field] = WrongType(kind, random);
                return ("wrong type", Encoding.UTF8.GetBytes(body.ToJsonString()), json);
            }
            case 3: // huge string (above every field's limit) in a text field, or a huge body for the hook
            {
                var body = (JsonObject)target.Valid.DeepClone();
                var size = target.IsHook ? MaxHookBytes + 1 + random.Next(100_000) : 20_000 + random.Next(2_000_000);
                var text = target.Kinds.FirstOrDefault(k => k.Value == FieldKind.Text).Key;
                if (target.IsHook) body["padding"] = new string('A', size);
                else if (text is not null) body[text] = new string((char)('a' + random.Next(26)), size);
                else body[target.Kinds.Keys.First()] = new string('9', size);
                return ("huge", Encoding.UTF8.GetBytes(body.ToJsonString()), json);
            }
            case 4: // deep nesting
            {
                var depth = 100 + random.Next(20_000);
                var nested = new string('[', depth) + new string(']', depth);
                var field = target.Kinds.Keys.ElementAt(random.Next(target.Kinds.Count));
                return ("deep nesting", Encoding.UTF8.GetBytes($"{{\"{field}\":{nested}}}"), json);
            }
            case 5: // invalid UTF-8 inside a string
            {
                var text = target.Valid.ToJsonString();
                var cut = text.IndexOf(":\"", StringComparison.Ordinal) + 2;
                var bad = new byte[] { 0xC0, 0xAF, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xF8, 0x88 }.Skip(random.Next(5)).Take(2 + random.Next(4)).ToArray();
                return ("invalid UTF-8", [.. Encoding.UTF8.GetBytes(text[..cut]), .. bad, .. Encoding.UTF8.GetBytes(text[cut..])], json);
            }
            case 6: // wrong content type
            {
                // Never a JSON media type: the API must refuse the (otherwise valid) body for its type alone.
                string[] types = ["text/plain", "application/xml", "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded", "image/png", "", ";;;", "text/html; charset=utf-8"];
                var type = types[random.Next(types.Length)];
                // The hook reads any body as JSON (as Okta sends it): give it a non-JSON one so nothing valid gets through.
                return ("wrong content type", target.IsHook ? Encoding.UTF8.GetBytes("<events><event/></events>") : valid, type);
            }
            case 7: // not an object at all
            {
                string[] roots = ["null", "[]", "\"text\"", "42", "true", "[{}]", "", " ", "\u0000"];
                return ("wrong root", Encoding.UTF8.GetBytes(roots[random.Next(roots.Length)]), json);
            }
            default: // random bytes
            {
                var bytes = new byte[random.Next(1, 4096)];
                random.NextBytes(bytes);
                bytes[0] = (byte)'{';
                return ("random bytes", bytes, json);
            }
        }
    }

    private static JsonNode? WrongType(FieldKind kind, Random random)
    {
        JsonNode?[] forText = [12345, true, new JsonArray(1, 2), new JsonObject { ["a"] = 1 }, -0.5];
        JsonNode?[] forNumber = ["not a number", true, new JsonArray(), new JsonObject(), "1e999999"];
        JsonNode?[] forBool = ["yes", 3, new JsonArray(), new JsonObject { ["b"] = false }];
        JsonNode?[] forStructure = ["text", 7, false];
        var pool = kind switch { FieldKind.Text => forText, FieldKind.Number => forNumber, FieldKind.Bool => forBool, _ => forStructure };
        return pool[random.Next(pool.Length)]?.DeepClone();
    }

    private static string HostileHeader(Random random)
    {
        string[] values = ["%0d%0aSet-Cookie: evil=1", "<script>alert(1)</script>", new string('x', 8000), "\u00e9\u00e8\u00ff", "../../etc/passwd", "' OR 1=1 --"];
        return values[random.Next(values.Length)];
    }

    private static IEnumerable<byte[]> RawRequests(Guid tenantId, string hookSecret, string apiAuthorization, string supportPath, Random random)
    {
        var injected = new[]
        {
            $"POST /hooks/okta/{tenantId} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {hookSecret}\r\nX-Evil: a\rInjected: b\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}",
            $"POST /hooks/okta/{tenantId} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {hookSecret}\nSet-Cookie: x=1\r\nContent-Length: 2\r\n\r\n[]",
            $"POST /hooks/okta/{tenantId} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {hookSecret}\r\nContent-Length: 10\r\nContent-Length: 2\r\n\r\n{{}}",
            $"POST /hooks/okta/{tenantId} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {hookSecret}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            $"POST /hooks/okta/{tenantId} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {hookSecret}\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{{}}\r\n0\r\n\r\n",
            $"POST {supportPath} HTTP/1.1\r\nHost: localhost\r\n{apiAuthorization}\r\nContent-Type: application/json\r\n\r\n{{}}",
            $"POST {supportPath} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {apiAuthorization}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{{",
            $"GET /api/workspaces/%00/tenants HTTP/1.1\r\nHost: localhost\r\nAuthorization: {apiAuthorization}\r\n\r\n",
            $"GET /hooks/okta/{tenantId}/../../api/me HTTP/1.1\r\nHost: localhost\r\n\r\n",
            $"POST /hooks/okta/{tenantId} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {hookSecret}\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{{\"data\":",
        };
        foreach (var text in injected) yield return Encoding.Latin1.GetBytes(text);
        for (var i = 0; i < 20; i++)
        {
            var header = new string('h', 1 + random.Next(40)) + (random.Next(2) == 0 ? "\r" : "\0") + "x";
            yield return Encoding.Latin1.GetBytes($"POST /hooks/okta/{tenantId} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {hookSecret}\r\n{header}: v\r\nContent-Length: 2\r\n\r\n{{}}");
        }
    }

    private static async Task<int> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        try
        {
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            // The server closed the connection on an oversized body (it answered 413 first): not a server error.
            return 413;
        }
    }

    /// <summary>The status of the first response line, or 400 when the server just closes a request it cannot parse.</summary>
    private static async Task<int> SendRawAsync(int port, byte[] request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(request);
            var buffer = new byte[512];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) return 400;
            var line = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
            return int.Parse(line.Split(' ')[1]);
        }
        catch (IOException)
        {
            return 400;
        }
    }

    private static async Task<Dictionary<string, int>> CountRowsAsync(IdentiGuardApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        return new Dictionary<string, int>
        {
            ["events"] = await db.Events.IgnoreQueryFilters().CountAsync(), ["alerts"] = await db.Alerts.IgnoreQueryFilters().CountAsync(),
            ["tenants"] = await db.Tenants.IgnoreQueryFilters().CountAsync(), ["customRules"] = await db.CustomRules.IgnoreQueryFilters().CountAsync(),
            ["ruleSettings"] = await db.RuleSettings.IgnoreQueryFilters().CountAsync(), ["support"] = await db.SupportRequests.IgnoreQueryFilters().CountAsync(),
            ["invitations"] = await db.WorkspaceInvitations.IgnoreQueryFilters().CountAsync(), ["tokens"] = await db.ApiTokens.CountAsync(),
            ["members"] = await db.WorkspaceMembers.IgnoreQueryFilters().CountAsync(), ["users"] = await db.Users.CountAsync(),
        };
    }

    private static string ServerErrors(IdentiGuardApp app) => string.Join("\n", app.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)).Take(5));
}
