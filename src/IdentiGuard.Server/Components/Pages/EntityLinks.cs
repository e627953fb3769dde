namespace IdentiGuard.Server.Components.Pages;

/// <summary>Addresses of the entity pages, linked from alerts, incidents and the events explorer.</summary>
public static class EntityLinks
{
    public static string User(Guid workspaceId, string user) => $"/w/{workspaceId}/users/{Uri.EscapeDataString(user)}";

    public static string Ip(Guid workspaceId, string ip) => $"/w/{workspaceId}/ips/{Uri.EscapeDataString(ip)}";

    /// <summary>Detection actors read "field=value" (the rule's group key); the user is the value when the field names a user.</summary>
    public static string? UserOfActor(string actor)
    {
        if (actor is "unknown" or "") return null;
        if (actor.Split('=', 2) is [var field, var value])
            return value.Length > 0 && (field.StartsWith("actor.", StringComparison.Ordinal) || field.Contains("user", StringComparison.OrdinalIgnoreCase)) ? value : null;
        return actor;
    }

    public static string? IpOfActor(string actor) =>
        actor.Split('=', 2) is [var field, var value] && field.Contains("ipAddress", StringComparison.OrdinalIgnoreCase) && value.Length > 0 ? value : null;
}
