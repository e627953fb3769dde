namespace IdentiGuard.Server.Storage;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Section <c>IdentiGuard:Database</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "IdentiGuard:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Empty for SQLite means <c>identiguard.db</c> in the data directory. Required for PostgreSQL.</summary>
    public string? ConnectionString { get; set; }
}
