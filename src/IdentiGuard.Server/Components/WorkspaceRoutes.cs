using System.Text.RegularExpressions;

namespace IdentiGuard.Server.Components;

/// <summary>Workspace pages live under <c>/w/{workspaceId}/…</c>.</summary>
public static partial class WorkspaceRoutes
{
    public static Guid? FromUri(string uri)
    {
        var match = WorkspaceSegment().Match(uri);
        return match.Success && Guid.TryParse(match.Groups[1].Value, out var id) ? id : null;
    }

    [GeneratedRegex(@"/w/([0-9a-fA-F-]{36})(/|$|\?)")]
    private static partial Regex WorkspaceSegment();
}
