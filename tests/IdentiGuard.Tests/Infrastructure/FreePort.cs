using System.Net;
using System.Net.Sockets;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>
/// Loopback ports for servers a test starts later (Kestrel, Orleans silos, PostgreSQL, proxies).
/// </summary>
/// <remarks>
/// The ports come from below the kernel's ephemeral range (32768–60999 on Linux). A port the OS picked from that range
/// is free only until someone else's outgoing connection takes it as its source port, and the tests open many (Npgsql
/// pools, HTTP clients): CI once failed to bind such a port a moment after it was handed out. Ports below the range
/// are never given to outgoing connections, so a port that binds now stays free. Each test process starts at its own
/// offset, and never hands out one port twice.
/// </remarks>
internal static class FreePort
{
    private const int First = 20000;
    private const int Count = 12000;

    private static int next = Environment.ProcessId * 97 % Count;

    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref next) % Count);
            if (IsFree(port)) return port;
        }
        throw new InvalidOperationException($"No free loopback port between {First} and {First + Count - 1}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
