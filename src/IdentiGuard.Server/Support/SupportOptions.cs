namespace IdentiGuard.Server.Support;

/// <summary>Section <c>IdentiGuard:Support</c>: where support requests go. Every request is also kept in the database.</summary>
public sealed class SupportOptions
{
    public const string Section = "IdentiGuard:Support";

    /// <summary>The support destination's e-mail address; requests are only stored when empty.</summary>
    public string? DestinationEmail { get; set; }

    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public bool UseStartTls { get; set; } = true;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "identiguard@localhost";
}
