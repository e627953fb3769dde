using QRCoder;

namespace IdentiGuard.Server.Mfa;

/// <summary>The <c>otpauth://</c> URI authenticator apps scan, and its QR code as inline SVG (no image request, no external service).</summary>
public static class AuthenticatorQrCode
{
    public const string Issuer = "IdentiGuard";

    public static string Uri(string accountName, string sharedKey)
        => $"otpauth://totp/{System.Uri.EscapeDataString(Issuer)}:{System.Uri.EscapeDataString(accountName)}" +
           $"?secret={sharedKey}&issuer={System.Uri.EscapeDataString(Issuer)}&digits={Totp.Digits}&period={(int)Totp.Step.TotalSeconds}";

    public static string Svg(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(5);
    }

    /// <summary>The key in groups of four, for typing into an app by hand.</summary>
    public static string Format(string sharedKey)
        => string.Join(' ', sharedKey.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
}
