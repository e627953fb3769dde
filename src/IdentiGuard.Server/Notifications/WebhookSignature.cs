using System.Security.Cryptography;
using System.Text;

namespace IdentiGuard.Server.Notifications;

/// <summary>
/// Generic webhook signing, Stripe-style: <c>X-IdentiGuard-Signature: v1=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))</c>
/// with <c>X-IdentiGuard-Timestamp</c> in Unix seconds. Signing the timestamp with the body lets receivers reject
/// replays: check the signature, then that the timestamp is within their tolerance (5 minutes is suggested), then
/// that <c>X-IdentiGuard-Delivery</c> was not seen before.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-IdentiGuard-Signature";
    public const string TimestampHeader = "X-IdentiGuard-Timestamp";
    public const string DeliveryHeader = "X-IdentiGuard-Delivery";
    public const string EventHeader = "X-IdentiGuard-Event";
    public static readonly TimeSpan SuggestedTolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, long timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return "v1=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>What a receiver does (used by the tests and shown in the docs).</summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, out var timestamp) || signatureHeader is null) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        // A header may carry several signatures during a secret rotation: "v1=…,v1=…".
        return signatureHeader.Split(',', StringSplitOptions.TrimEntries)
            .Any(candidate => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate)));
    }
}
