using System.Globalization;
using System.Security.Cryptography;

namespace IdentiGuard.Server.Demo;

/// <summary>
/// <c>demo [--speed N] [--scenario NAME|FILE] [--port N] [--data DIR]</c>: turns the command line into host settings for
/// demo mode (a fresh data directory, loopback URLs, a demo owner with a generated password) and prints how to sign in.
/// </summary>
public static class DemoCommand
{
    public const string AdminEmail = "demo@identiguard.local";

    public const string Usage = "Usage: IdentiGuard.Server demo [--speed N] [--scenario NAME|FILE] [--port N] [--data DIR] [other host settings]";

    /// <returns>False (with the reason on <paramref name="error"/>) when the arguments are not valid.</returns>
    public static bool TryPrepare(string[] args, TextWriter output, TextWriter error, out string[] hostArgs)
    {
        hostArgs = [];
        var port = 5080;
        string? data = null;
        var settings = new List<string>();
        var passThrough = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                switch (args[i])
                {
                    case "--speed":
                        var speed = double.Parse(Value(), CultureInfo.InvariantCulture);
                        if (speed is < 0.05 or > 100) throw new ArgumentException("--speed must be between 0.05 and 100.");
                        settings.Add($"--IdentiGuard:Demo:Speed={speed.ToString(CultureInfo.InvariantCulture)}");
                        break;
                    case "--scenario":
                        settings.Add($"--IdentiGuard:Demo:Scenario={DemoScenario.Resolve(Value())}");
                        break;
                    case "--port":
                        port = int.Parse(Value(), CultureInfo.InvariantCulture);
                        if (port is < 1 or > 65535) throw new ArgumentException("--port must be between 1 and 65535.");
                        break;
                    case "--data":
                        data = Path.GetFullPath(Value());
                        break;
                    case "-h" or "--help":
                        output.WriteLine(Usage);
                        return false;
                    default:
                        passThrough.Add(args[i]);
                        break;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or OverflowException)
            {
                error.WriteLine(e.Message);
                error.WriteLine(Usage);
                return false;
            }
        }

        // A fresh directory per run: the emulated org lives in memory, so yesterday's demo tenant would point nowhere.
        data ??= Path.Combine(Path.GetTempPath(), "identiguard-demo-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var password = "Demo-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
        var url = $"http://127.0.0.1:{port}";
        hostArgs =
        [
            $"--urls={url}",
            $"--IdentiGuard:PublicBaseUrl={url}",
            $"--IdentiGuard:DataDirectory={data}",
            "--IdentiGuard:Okta:AllowInsecureLoopback=true",
            "--IdentiGuard:Demo:Enabled=true",
            $"--IdentiGuard:Bootstrap:AdminEmail={AdminEmail}",
            $"--IdentiGuard:Bootstrap:AdminPassword={password}",
            "--IdentiGuard:Bootstrap:WorkspaceName=Demo",
            // The demo's own progress stays readable: framework and per-delivery logs only from warnings up.
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:IdentiGuard.Server.Demo=Information",
            // Hook and poller storing the same event race on its unique key by design; EF logs the loser as an error.
            "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Critical",
            "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Update=Critical",
            .. settings,
            .. passThrough,
        ];

        output.WriteLine("IdentiGuard demo mode: an emulated Okta org, a connected demo tenant and a scripted working day with attacks.");
        output.WriteLine($"  Open      {url}");
        output.WriteLine($"  Sign in   {AdminEmail}");
        output.WriteLine($"  Password  {password}");
        output.WriteLine($"  Data      {data} (a throw-away directory; delete it when done)");
        output.WriteLine("  Alerts for each attack appear within two minutes. Stop with Ctrl+C.");
        return true;
    }
}
