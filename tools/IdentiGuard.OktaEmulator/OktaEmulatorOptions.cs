namespace IdentiGuard.OktaEmulator;

/// <summary>Configuration of an emulated Okta org.</summary>
public sealed class OktaEmulatorOptions
{
    /// <summary>Listen URL; port 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>Accept http:// hook URIs on loopback hosts (127.0.0.0/8, ::1, localhost); otherwise only https://.</summary>
    public bool LoopbackTestMode { get; set; }

    public int LogsRateLimitPerMinute { get; set; } = 120;
    public int ManagementRateLimitPerMinute { get; set; } = 600;
    public int TokenRateLimitPerMinute { get; set; } = 1200;

    /// <summary>Per-attempt timeout of verification and delivery requests (Okta: 3 s).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Events emitted within this window are amalgamated into one delivery per hook.</summary>
    public TimeSpan DeliveryBatchDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Event-hook daily quota per org (Okta: 400,000 events / 24 h).</summary>
    public int EventHookDailyLimit { get; set; } = 400_000;

    /// <summary>Fixed client id of the seeded integration (random "0oa…" when null).</summary>
    public string? SeedClientId { get; set; }

    /// <summary>Fixed client secret of the seeded integration (random when null).</summary>
    public string? SeedClientSecret { get; set; }

    /// <summary>Write ASP.NET Core warnings to the console (standalone mode).</summary>
    public bool ConsoleLogging { get; set; }
}
