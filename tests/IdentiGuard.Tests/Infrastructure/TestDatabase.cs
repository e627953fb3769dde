using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace IdentiGuard.Tests.Infrastructure;

/// <summary>
/// Which database the test apps use. SQLite in the data directory by default; with
/// <c>IDENTIGUARD_TEST_DATABASE=PostgreSql</c> every test app gets its own PostgreSQL database on the server named by
/// <c>IDENTIGUARD_TEST_POSTGRES</c> (scripts/test-services.sh starts one). The database is named after the data directory,
/// so a restarted app and several hosts of one cluster (same data directory) share it, as they share the SQLite file.
/// </summary>
internal static class TestDatabase
{
    public const string ServerVariable = "IDENTIGUARD_TEST_POSTGRES";
    public const string ProviderVariable = "IDENTIGUARD_TEST_DATABASE";
    public const string NoServer = $"needs a PostgreSQL server: set {ServerVariable} (scripts/test.sh starts one).";

    /// <summary>The PostgreSQL server tests may create databases in, or null when none is configured.</summary>
    public static string? PostgresServer => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value ? value : null;

    /// <summary>True when the test apps run on PostgreSQL rather than the embedded SQLite default.</summary>
    public static bool AppsUsePostgres => string.Equals(Environment.GetEnvironmentVariable(ProviderVariable), "PostgreSql", StringComparison.OrdinalIgnoreCase);

    /// <summary>The provider settings for an app on this data directory (none for SQLite: the app's default).</summary>
    public static async Task<Dictionary<string, string?>> AppSettingsAsync(string dataDirectory)
    {
        if (!AppsUsePostgres) return [];
        var server = PostgresServer ?? throw new InvalidOperationException($"{ProviderVariable}=PostgreSql {NoServer}");
        return new()
        {
            ["IdentiGuard:Database:Provider"] = "PostgreSql",
            ["IdentiGuard:Database:ConnectionString"] = await EnsurePostgresDatabaseAsync(server, NameFor(dataDirectory)),
        };
    }

    /// <summary>A new, empty PostgreSQL database on the test server; returns its connection string.</summary>
    public static Task<string> CreatePostgresDatabaseAsync(string prefix = "ig")
        => EnsurePostgresDatabaseAsync(PostgresServer ?? throw new InvalidOperationException(NoServer), $"{prefix}_{Guid.NewGuid():N}");

    /// <summary>Creates the database unless it exists; returns the connection string that points at it.</summary>
    public static async Task<string> EnsurePostgresDatabaseAsync(string server, string database)
    {
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
    }

    private static string NameFor(string dataDirectory)
        => "ig_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..24];
}

/// <summary>A test that exercises SQLite itself (its file, its locking): skipped when the test apps run on PostgreSQL.</summary>
internal sealed class SqliteOnlyFactAttribute : FactAttribute
{
    public SqliteOnlyFactAttribute(string reason)
    {
        if (TestDatabase.AppsUsePostgres) Skip = $"SQLite only: {reason}";
    }
}

/// <summary>A test that needs a PostgreSQL server: skipped with the reason when none is configured.</summary>
internal sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestDatabase.PostgresServer is null) Skip = TestDatabase.NoServer;
    }
}
