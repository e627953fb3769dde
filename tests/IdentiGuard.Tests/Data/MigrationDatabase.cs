using System.Data.Common;
using IdentiGuard.Data;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Storage;
using IdentiGuard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IdentiGuard.Tests.Data;

/// <summary>A DbContext configured exactly as the app configures it, on a fresh database of either provider.</summary>
internal static class MigrationDatabase
{
    public static async Task<IdentiGuardDbContext> FreshAsync(DatabaseProvider provider)
    {
        var storage = provider == DatabaseProvider.PostgreSql
            ? new StorageOptions { Provider = provider, ConnectionString = await TestDatabase.CreatePostgresDatabaseAsync("ig_migrate") }
            : new StorageOptions { Provider = provider };
        return Create(storage, Directory.CreateTempSubdirectory("identiguard-migrate-").FullName);
    }

    /// <summary>A context that never connects (model and migration metadata only).</summary>
    public static IdentiGuardDbContext Offline(DatabaseProvider provider) => Create(
        new StorageOptions { Provider = provider, ConnectionString = provider == DatabaseProvider.PostgreSql ? "Host=127.0.0.1;Database=offline" : null },
        Path.Combine(Path.GetTempPath(), "identiguard-offline"));

    private static IdentiGuardDbContext Create(StorageOptions storage, string dataDirectory)
    {
        var options = new DbContextOptionsBuilder<IdentiGuardDbContext>();
        StorageExtensions.Configure(options, storage, new IdentiGuardOptions { DataDirectory = dataDirectory });
        return new IdentiGuardDbContext(options.Options, new WorkspaceScope());
    }

    /// <summary>
    /// Inserts an entity of the current model into an older schema: only the columns that table has at that schema are
    /// written, with the values the current model's converters produce. Keeps the upgrade test independent of which
    /// migration added which column.
    /// </summary>
    public static async Task InsertAsync<T>(IdentiGuardDbContext db, T entity) where T : class
    {
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync();
        var existing = await ColumnsAsync(connection, table.Name);

        await using var command = connection.CreateCommand();
        var columns = new List<string>();
        foreach (var property in type.GetProperties())
        {
            var column = property.GetColumnName(table);
            if (column is null || !existing.Contains(column)) continue;
            var value = property.GetGetter().GetClrValue(entity);
            if (property.ValueGenerated == ValueGenerated.OnAdd && property.IsKey() && Equals(value, property.ClrType.IsValueType ? Activator.CreateInstance(property.ClrType) : null)) continue;
            var converter = property.GetTypeMapping().Converter;
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{columns.Count}";
            parameter.Value = (converter is null ? value : converter.ConvertToProvider(value)) ?? DBNull.Value;
            command.Parameters.Add(parameter);
            columns.Add(column);
        }
        command.CommandText = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<HashSet<string>> ColumnsAsync(DbConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" WHERE 1 = 0";
        await using var reader = await command.ExecuteReaderAsync();
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.Ordinal);
    }
}
