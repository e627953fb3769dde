using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace IdentiGuard.Server.Mfa;

/// <summary>RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps compute them.</summary>
public static class Totp
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    public const int Digits = 6;

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / (long)Step.TotalSeconds;

    public static string Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(key, counter, hash);
        // RFC 4226 dynamic truncation.
        var offset = hash[^1] & 0x0f;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7fffffff) % 1_000_000;
        return binary.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Accepts what people type: spaces and dashes are ignored; anything but six digits is not a code.</summary>
    public static bool TryNormalise(string? input, out string code)
    {
        code = new string((input ?? "").Where(c => c is not (' ' or '-')).ToArray());
        return code.Length == Digits && code.All(char.IsAsciiDigit);
    }

    public static bool CodesEqual(string a, string b)
        => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}

/// <summary>RFC 4648 base32 (the encoding of authenticator keys), upper case, padding optional.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static byte[] Decode(string text)
    {
        var clean = text.Trim().TrimEnd('=').Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        var output = new byte[clean.Length * 5 / 8];
        int buffer = 0, bits = 0, index = 0;
        foreach (var c in clean)
        {
            var value = Alphabet.IndexOf(c);
            if (value < 0) throw new FormatException("The key is not base32.");
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits < 8) continue;
            output[index++] = (byte)(buffer >> (bits - 8));
            bits -= 8;
        }
        return output;
    }
}
