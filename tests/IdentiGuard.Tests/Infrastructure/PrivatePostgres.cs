using System.Diagnostics;
using Npgsql;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the test's own (initdb in a temp directory), for tests that stop and start the database.
/// PostgreSQL refuses to run as root: as root the server runs as the <c>postgres</c> user.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string bin;
    private readonly string directory;

    private PrivatePostgres(string bin, string directory, int port)
    {
        this.bin = bin;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}";

    /// <summary>PostgreSQL's bin directory (IDENTIGUARD_TEST_PG_BIN, else Debian's newest), or null when it is not installed.</summary>
    public static string? BinDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("IDENTIGUARD_TEST_PG_BIN") is { Length: > 0 } configured) return configured;
            const string debian = "/usr/lib/postgresql";
            return Directory.Exists(debian)
                ? Directory.GetDirectories(debian).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                    .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).LastOrDefault()
                : null;
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException("PostgreSQL is not installed (Debian: apt-get install postgresql).");
        var directory = Directory.CreateTempSubdirectory("identiguard-pg-").FullName;
        if (IsRoot) await RunAsync("chown", ["-R", "postgres", directory], asDatabaseOwner: false);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(directory, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        var server = new PrivatePostgres(bin, directory, FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Stops the server the way a crash or an operator would: open connections are cut.</summary>
    public Task StopAsync() => RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(directory, "data"), "-m", "fast", "-w", "stop"]);

    public Task StartAgainAsync() => RunAsync(Path.Combine(bin, "pg_ctl"),
        ["-D", Path.Combine(directory, "data"), "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
         "-o", $"-p {Port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"]);

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asDatabaseOwner = true)
    {
        var start = new ProcessStartInfo(asDatabaseOwner && IsRoot ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asDatabaseOwner && IsRoot) foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} exited {process.ExitCode}: {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(directory, recursive: true);
    }
}

/// <summary>A test that starts its own PostgreSQL server: skipped when PostgreSQL is not installed.</summary>
internal sealed class PrivatePostgresFactAttribute : FactAttribute
{
    public PrivatePostgresFactAttribute()
    {
        if (PrivatePostgres.BinDirectory is null) Skip = "needs PostgreSQL's server binaries (Debian: apt-get install postgresql; scripts/test.sh installs it).";
    }
}
