namespace IdentiGuard.OktaEmulator;

/// <summary>Standalone entry point: dotnet run --project tools/IdentiGuard.OktaEmulator -- [--urls URL] [--loopback-test-mode] [--client-id ID] [--client-secret SECRET]</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new OktaEmulatorOptions
        {
            Url = "http://127.0.0.1:8181",
            SeedClientId = "0oaIdentiGuardEmu001",
            SeedClientSecret = "identiguard-emulator-secret-do-not-use-in-production",
            ConsoleLogging = true,
        };
        string? oidcRedirectUri = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--urls": options.Url = Value().Split(';')[0]; break;
                case "--loopback-test-mode": options.LoopbackTestMode = true; break;
                case "--client-id": options.SeedClientId = Value(); break;
                case "--client-secret": options.SeedClientSecret = Value(); break;
                case "--oidc-redirect-uri": oidcRedirectUri = Value(); break;
                case "--logs-rate-limit": options.LogsRateLimitPerMinute = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "-h" or "--help":
                    Console.WriteLine("Usage: IdentiGuard.OktaEmulator [--urls http://127.0.0.1:8181] [--loopback-test-mode] [--client-id ID] [--client-secret SECRET] [--logs-rate-limit N] [--oidc-redirect-uri URI]");
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}");
                    return 2;
            }
        }

        await using var emulator = await OktaEmulator.StartAsync(options);
        Console.WriteLine($"Okta domain:   {emulator.BaseUrl}");
        Console.WriteLine($"Client ID:     {emulator.SeedClient.ClientId}");
        Console.WriteLine($"Client Secret: {emulator.SeedClient.ClientSecret}");
        Console.WriteLine($"Scopes:        {string.Join(' ', emulator.SeedClient.GrantedScopes)}");
        Console.WriteLine($"Admin page:    {emulator.BaseUrl}/admin/event-hooks");
        if (oidcRedirectUri is not null)
        {
            // An OIDC web app and a sign-in user for trying single sign-on (IdentiGuard:Oidc:* settings).
            var oidcApp = emulator.Oidc.AddApp([oidcRedirectUri]);
            emulator.Oidc.AddUser("demo@example.com", "Demo User", "demo password", "IdentiGuard Admins");
            Console.WriteLine($"OIDC app:      client id {oidcApp.ClientId}, client secret {oidcApp.ClientSecret}, redirect URI {oidcRedirectUri}");
            Console.WriteLine("OIDC user:     demo@example.com / demo password (group \"IdentiGuard Admins\")");
        }
        Console.WriteLine($"Loopback test mode: {(options.LoopbackTestMode ? "on (http:// loopback hook URIs accepted)" : "off")}");
        Console.WriteLine("Press Ctrl+C to stop.");

        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
        return 0;
    }
}
