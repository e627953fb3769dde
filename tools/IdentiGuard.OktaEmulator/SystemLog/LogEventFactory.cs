using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.EventHooks;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator;

/// <summary>Builds realistic Okta System Log LogEvents (shaped like the documented examples).</summary>
public static class LogEventFactory
{
    public static JsonObject Create(LogEventSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var published = spec.Published ?? TimeProvider.System.GetUtcNow();
        var txId = spec.TransactionId ?? Ids.RequestId();
        var geo = spec.Geo ?? Geo("Toronto", "Ontario", "Canada", "M4M", 43.6567, -79.34);
        var debugData = new JsonObject
        {
            ["requestId"] = txId,
            ["requestUri"] = spec.RequestUri ?? "/api/v1/authn",
            ["threatSuspected"] = "false",
            ["url"] = spec.Url ?? (spec.RequestUri ?? "/api/v1/authn") + "?",
        };
        if (spec.DebugData is not null)
            foreach (var (k, v) in spec.DebugData)
                debugData[k] = v?.DeepClone();

        return new JsonObject
        {
            ["uuid"] = spec.Uuid ?? Guid.NewGuid().ToString(),
            ["published"] = OktaJson.Timestamp(published),
            ["eventType"] = spec.EventType,
            ["version"] = "0",
            ["displayMessage"] = spec.DisplayMessage ?? DefaultDisplayMessage(spec.EventType),
            ["severity"] = spec.Severity,
            ["client"] = new JsonObject
            {
                ["userAgent"] = new JsonObject
                {
                    ["rawUserAgent"] = spec.UserAgent,
                    ["os"] = spec.UserAgentOs,
                    ["browser"] = spec.UserAgentBrowser,
                },
                ["zone"] = "null",
                ["device"] = spec.ClientDevice,
                ["id"] = spec.ClientId,
                ["ipAddress"] = spec.ClientIp,
                ["geographicalContext"] = geo.DeepClone(),
            },
            ["device"] = spec.Device?.DeepClone(),
            ["actor"] = (spec.Actor ?? UserActor("00uz9fj5aT69fHVro1d6", "admin@example.com", "Admin Name")).DeepClone(),
            ["outcome"] = new JsonObject { ["result"] = spec.OutcomeResult, ["reason"] = spec.OutcomeReason },
            ["target"] = spec.Targets?.DeepClone(),
            ["transaction"] = new JsonObject
            {
                ["type"] = spec.TransactionType,
                ["id"] = txId,
                ["detail"] = spec.TransactionDetail?.DeepClone() ?? new JsonObject(),
            },
            ["debugContext"] = new JsonObject { ["debugData"] = debugData },
            ["legacyEventType"] = spec.LegacyEventType,
            ["authenticationContext"] = new JsonObject
            {
                ["authenticationProvider"] = spec.AuthenticationProvider,
                ["credentialProvider"] = null,
                ["credentialType"] = spec.CredentialType,
                ["issuer"] = null,
                ["authenticationStep"] = 0,
                ["rootSessionId"] = spec.RootSessionId,
                ["externalSessionId"] = spec.ExternalSessionId ?? "idx" + Ids.Random(22),
                ["interface"] = null,
            },
            ["securityContext"] = spec.SecurityContext?.DeepClone()
                ?? SecurityContext(577, "example", "exampleISP", "example.com", false),
            ["request"] = new JsonObject
            {
                ["ipChain"] = new JsonArray(new JsonObject
                {
                    ["ip"] = spec.ClientIp,
                    ["geographicalContext"] = geo.DeepClone(),
                    ["version"] = spec.ClientIp.Contains(':') ? "V6" : "V4",
                    ["source"] = null,
                }),
            },
        };
    }

    /// <summary>A typical event for <paramref name="eventType"/> performed by <paramref name="actor"/> on <paramref name="target"/>.</summary>
    public static JsonObject Create(string eventType, OktaUser? actor = null, OktaUser? target = null,
        string outcome = "SUCCESS", string? reason = null, string? clientIp = null, DateTimeOffset? published = null) =>
        Create(new LogEventSpec
        {
            EventType = eventType,
            Actor = actor is null ? null : UserActor(actor),
            Targets = target is null ? null : new JsonArray(UserTarget(target)),
            OutcomeResult = outcome,
            OutcomeReason = reason,
            ClientIp = clientIp ?? "142.126.158.61",
            Published = published,
        });

    public static JsonObject UserActor(OktaUser user) =>
        UserActor(user.Id, user.Login, $"{user.FirstName} {user.LastName}");

    public static JsonObject UserActor(string id, string login, string displayName) => new()
    {
        ["id"] = id, ["type"] = "User", ["alternateId"] = login, ["displayName"] = displayName, ["detailEntry"] = null,
    };

    /// <summary>Actor of actions done by an OAuth service app (exact Okta type string unverified).</summary>
    public static JsonObject ClientActor(string clientId, string name) => new()
    {
        ["id"] = clientId, ["type"] = "PublicClientApp", ["alternateId"] = clientId, ["displayName"] = name, ["detailEntry"] = null,
    };

    public static JsonObject SystemActor() => new()
    {
        ["id"] = "0oa1emulatorsystem00", ["type"] = "SystemPrincipal", ["alternateId"] = "system@okta.com",
        ["displayName"] = "Okta System", ["detailEntry"] = null,
    };

    public static JsonObject UserTarget(OktaUser user) =>
        Target(user.Id, "User", user.Login, $"{user.FirstName} {user.LastName}");

    public static JsonObject Target(string id, string type, string alternateId, string displayName) => new()
    {
        ["id"] = id, ["type"] = type, ["alternateId"] = alternateId, ["displayName"] = displayName, ["detailEntry"] = null,
    };

    public static JsonObject Geo(string? city, string? state, string? country, string? postalCode, double? lat, double? lon) => new()
    {
        ["city"] = city,
        ["state"] = state,
        ["country"] = country,
        ["postalCode"] = postalCode,
        ["geolocation"] = lat is null || lon is null ? null : new JsonObject { ["lat"] = lat, ["lon"] = lon },
    };

    public static JsonObject SecurityContext(int? asNumber, string? asOrg, string? isp, string? domain, bool? isProxy,
        string? riskLevel = null, IEnumerable<string>? riskReasons = null)
    {
        var o = new JsonObject
        {
            ["asNumber"] = asNumber, ["asOrg"] = asOrg, ["isp"] = isp, ["domain"] = domain, ["isProxy"] = isProxy,
        };
        if (riskLevel is not null)
        {
            var reasons = new JsonArray();
            foreach (var r in riskReasons ?? []) reasons.Add(r);
            o["risk"] = new JsonObject { ["level"] = riskLevel, ["reasons"] = reasons };
        }
        return o;
    }

    /// <summary>Okta-style preview sample data: no target, placeholder ids.</summary>
    public static JsonObject SampleData(string eventType)
    {
        var e = Create(new LogEventSpec
        {
            EventType = eventType,
            Actor = UserActor("00u00000000000000000", "john.doe@example.com", "John Doe"),
            TransactionId = "sample" + RandomNumberGenerator.GetString("0123456789", 8),
            Uuid = Guid.NewGuid().ToString(),
        });
        e.Remove("target");
        return e;
    }

    internal static string DefaultDisplayMessage(string eventType)
    {
        var d = EventTypeCatalog.Default.Find(eventType)?.Description;
        if (string.IsNullOrWhiteSpace(d)) return eventType;
        var first = d.Split(". ", 2)[0].TrimEnd('.');
        return first.Length > 120 ? first[..120] : first;
    }
}
