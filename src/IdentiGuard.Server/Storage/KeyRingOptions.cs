namespace IdentiGuard.Server.Storage;

/// <summary>
/// How the Data Protection key ring is itself protected at rest. Without a certificate the keys are stored as written
/// by ASP.NET Core on Linux (readable by whoever can read the data directory); with one, every key is encrypted to the
/// certificate and a copy of the data directory alone no longer reveals the Okta secrets.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "IdentiGuard:DataProtection";

    /// <summary>PKCS#12 (.pfx) file with the certificate and private key that encrypt the key ring. Empty: not encrypted.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/> (set it through an environment variable or a secret store).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Previous certificates (.pfx paths, semicolon-separated) still able to read keys written before a
    /// certificate rotation. Their passwords, when any, follow in <see cref="PreviousCertificatePasswords"/> in the same order.</summary>
    public string? PreviousCertificatePaths { get; set; }

    public string? PreviousCertificatePasswords { get; set; }
}
