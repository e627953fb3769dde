using System.Security.Cryptography;

namespace IdentiGuard.OktaEmulator.Infrastructure;

/// <summary>Okta-like random identifiers.</summary>
internal static class Ids
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string UrlSafe = Alnum + "-_";

    public static string Random(int length) => RandomNumberGenerator.GetString(Alnum, length);
    public static string RandomUrlSafe(int length) => RandomNumberGenerator.GetString(UrlSafe, length);

    public static string HookId() => "who" + Random(17);
    public static string UserId() => "00u" + Random(17);
    public static string ClientId() => "0oa" + Random(17);
    public static string RequestId() => RandomUrlSafe(26) + "A";
    public static string ErrorId() => "oae" + RandomUrlSafe(22);
    public static string ClientSecret() => RandomUrlSafe(40);
}
