namespace IdentiGuard.Server.Workspaces;

/// <summary>
/// The caller's IP address for the activity log. Interactive pages run over the circuit's connection, whose HTTP
/// context is the one the browser opened it with; with a reverse proxy, configure forwarded headers so it is the client's.
/// </summary>
public sealed class ClientAddress(IHttpContextAccessor accessor)
{
    public string? Address => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
}
