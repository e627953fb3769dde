using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.Data.Alerts;

namespace IdentiGuard.Server.Notifications;

/// <summary>The JSON bodies each destination kind expects.</summary>
public static class Payloads
{
    private static readonly JsonSerializerOptions Compact = new(JsonSerializerDefaults.Web);

    /// <summary>Slack incoming webhook: a plain-text fallback plus Block Kit blocks with a button to the alert.</summary>
    public static JsonObject Slack(NotificationMessage m) => new()
    {
        ["text"] = $"{m.Summary} {m.Link}",
        ["blocks"] = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Truncate($"{(m.IsTest ? "[TEST] " : "")}{m.Title}", 150)) },
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray
                {
                    Markdown($"*Severity*\n{m.Severity}"),
                    Markdown($"*Tenant*\n{Escape(m.TenantName)}"),
                    Markdown($"*Actor*\n{Escape(m.Actor)}"),
                    Markdown($"*Rule*\n`{Escape(m.RuleId)}`"),
                    Markdown($"*Events*\n{m.Count}"),
                    Markdown($"*First seen*\n{Iso(m.FirstSeen)}"),
                },
            },
            new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray
                {
                    new JsonObject { ["type"] = "button", ["text"] = PlainText("Open in IdentiGuard"), ["url"] = m.Link },
                },
            },
        },
    };

    /// <summary>Microsoft Teams incoming webhook (Workflows): a message with one Adaptive Card.</summary>
    public static JsonObject Teams(NotificationMessage m) => new()
    {
        ["type"] = "message",
        ["summary"] = m.Summary,
        ["attachments"] = new JsonArray
        {
            new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = new JsonObject
                {
                    ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                    ["type"] = "AdaptiveCard",
                    ["version"] = "1.4",
                    ["body"] = new JsonArray
                    {
                        new JsonObject { ["type"] = "TextBlock", ["size"] = "Large", ["weight"] = "Bolder", ["wrap"] = true, ["text"] = $"{(m.IsTest ? "[TEST] " : "")}{m.Title}" },
                        new JsonObject
                        {
                            ["type"] = "FactSet",
                            ["facts"] = new JsonArray
                            {
                                Fact("Severity", m.Severity.ToString()), Fact("Tenant", m.TenantName), Fact("Actor", m.Actor),
                                Fact("Rule", m.RuleId), Fact("Events", m.Count.ToString()), Fact("First seen", Iso(m.FirstSeen)),
                            },
                        },
                    },
                    ["actions"] = new JsonArray
                    {
                        new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open in IdentiGuard", ["url"] = m.Link },
                    },
                },
            },
        },
    };

    /// <summary>IdentiGuard's own webhook format (documented in docs/notifications.md).</summary>
    public static JsonObject Webhook(NotificationMessage m, long deliveryId) => new()
    {
        ["type"] = m.IsTest ? "identiguard.test" : "identiguard.alert",
        ["version"] = 1,
        ["deliveryId"] = deliveryId,
        ["test"] = m.IsTest,
        ["alert"] = new JsonObject
        {
            ["id"] = m.AlertId,
            ["workspaceId"] = m.WorkspaceId,
            ["tenantId"] = m.TenantId,
            ["tenantName"] = m.TenantName,
            ["oktaDomain"] = m.TenantDomain,
            ["kind"] = m.Kind.ToString(),
            ["ruleId"] = m.RuleId,
            ["title"] = m.Title,
            ["severity"] = m.Severity.ToString(),
            ["eventType"] = m.EventType,
            ["actor"] = m.Actor,
            ["count"] = m.Count,
            ["firstSeen"] = Iso(m.FirstSeen),
            ["lastSeen"] = Iso(m.LastSeen),
            ["createdAt"] = Iso(m.CreatedAt),
            ["explanation"] = m.Explanation,
            ["link"] = m.Link,
        },
    };

    /// <summary>
    /// OCSF 1.3 Detection Finding (class_uid 2004, category 2 Findings, activity 1 Create, type_uid 200401), for SIEMs
    /// that ingest OCSF (Amazon Security Lake, Splunk, Sentinel, …).
    /// </summary>
    public static JsonObject Ocsf(NotificationMessage m)
    {
        var ms = (DateTime t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        return new JsonObject
        {
            ["class_uid"] = 2004,
            ["class_name"] = "Detection Finding",
            ["category_uid"] = 2,
            ["category_name"] = "Findings",
            ["activity_id"] = 1,
            ["activity_name"] = "Create",
            ["type_uid"] = 200401,
            ["type_name"] = "Detection Finding: Create",
            ["severity_id"] = OcsfSeverityId(m.Severity),
            ["severity"] = m.Severity.ToString(),
            ["status_id"] = 1,
            ["status"] = "New",
            ["time"] = ms(m.CreatedAt),
            ["message"] = m.Summary,
            ["count"] = m.Count,
            ["is_alert"] = true,
            ["metadata"] = new JsonObject
            {
                ["version"] = "1.3.0",
                ["uid"] = m.AlertId.ToString("D"),
                ["product"] = new JsonObject { ["name"] = "IdentiGuard", ["vendor_name"] = "IdentiGuard", ["feature"] = new JsonObject { ["name"] = "Okta ITDR" } },
                ["labels"] = m.IsTest ? new JsonArray("test") : new JsonArray(),
            },
            ["finding_info"] = new JsonObject
            {
                ["uid"] = m.AlertId.ToString("D"),
                ["title"] = m.Title,
                ["desc"] = m.Explanation,
                ["created_time"] = ms(m.CreatedAt),
                ["first_seen_time"] = ms(m.FirstSeen),
                ["last_seen_time"] = ms(m.LastSeen),
                ["src_url"] = m.Link,
                ["types"] = new JsonArray(m.EventType),
                ["analytic"] = new JsonObject
                {
                    ["uid"] = m.RuleId,
                    ["name"] = m.RuleId,
                    ["type_id"] = 1,
                    ["type"] = "Rule",
                },
            },
            ["actor"] = new JsonObject { ["user"] = new JsonObject { ["name"] = m.Actor } },
            ["cloud"] = new JsonObject { ["provider"] = "Okta", ["account"] = new JsonObject { ["uid"] = m.TenantDomain, ["name"] = m.TenantName } },
            ["unmapped"] = new JsonObject { ["identiguard_tenant_id"] = m.TenantId.ToString("D"), ["identiguard_workspace_id"] = m.WorkspaceId.ToString("D") },
        };
    }

    /// <summary>PagerDuty Events API v2 trigger; the alert id is the dedup key, so a retry never opens a second incident.</summary>
    public static JsonObject PagerDuty(NotificationMessage m, string routingKey) => new()
    {
        ["routing_key"] = routingKey,
        ["event_action"] = "trigger",
        ["dedup_key"] = m.IsTest ? $"identiguard-test-{Guid.NewGuid():N}" : $"identiguard-{m.AlertId:N}",
        ["client"] = "IdentiGuard",
        ["client_url"] = m.Link,
        ["payload"] = new JsonObject
        {
            ["summary"] = Truncate(m.Summary, 1024),
            ["source"] = m.TenantDomain,
            ["severity"] = m.Severity switch
            {
                AlertSeverity.Critical => "critical",
                AlertSeverity.High => "error",
                AlertSeverity.Medium => "warning",
                _ => "info",
            },
            ["timestamp"] = Iso(m.CreatedAt),
            ["component"] = "okta",
            ["group"] = m.TenantName,
            ["class"] = m.RuleId,
            ["custom_details"] = new JsonObject
            {
                ["actor"] = m.Actor, ["event_type"] = m.EventType, ["count"] = m.Count, ["explanation"] = m.Explanation, ["test"] = m.IsTest,
            },
        },
        ["links"] = new JsonArray { new JsonObject { ["href"] = m.Link, ["text"] = "Open in IdentiGuard" } },
    };

    public static string EmailSubject(NotificationMessage m) => $"[IdentiGuard] {Truncate(m.Summary, 200)}";

    public static string EmailText(NotificationMessage m) => $"""
        {(m.IsTest ? "This is a TEST notification from IdentiGuard. No alert was raised.\n\n" : "")}{m.Title}

        Severity:   {m.Severity}
        Tenant:     {m.TenantName} ({m.TenantDomain})
        Actor:      {m.Actor}
        Rule:       {m.RuleId}
        Event type: {m.EventType}
        Events:     {m.Count}
        First seen: {Iso(m.FirstSeen)}
        Last seen:  {Iso(m.LastSeen)}

        {m.Explanation}

        Open the alert: {m.Link}
        """;

    public static string Serialize(JsonNode node) => node.ToJsonString(Compact);

    public static int OcsfSeverityId(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Informational => 1,
        AlertSeverity.Low => 2,
        AlertSeverity.Medium => 3,
        AlertSeverity.High => 4,
        AlertSeverity.Critical => 5,
        _ => 0,
    };

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text };
    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };
    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };
    private static string Iso(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    /// <summary>Slack mrkdwn control characters; Okta data (actor names) must not become links or mentions.</summary>
    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
