using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// Writes many rows of one shape through a single prepared statement, in the context's current transaction, with
/// the model's own table, column and type mappings (so the stored values are exactly what EF would store, on either
/// provider). For the hot paths only: EF builds, and SQLite parses, a separate statement for every entity it saves,
/// which for hundreds of evidence rows and alert updates per processed batch cost more than the writes themselves.
/// Entities written here are not tracked; nothing reads them back from the context.
/// </summary>
public static class PreparedRows
{
    /// <summary>Inserts <paramref name="rows"/> (the <paramref name="columns"/> given, by property name).</summary>
    public static Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> rows, IReadOnlyList<string> columns, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var shape = Shape<T>.Of(db, columns, []);
        return ExecuteAsync(db, InsertSql(shape), shape, rows, null, ct);
    }

    /// <summary>
    /// Inserts each row unless it collides with a unique key already stored (or inserted earlier in the same call), and
    /// says which rows were inserted. The collision is settled by the database (<c>ON CONFLICT DO NOTHING</c>), so a
    /// concurrent writer of the same key, on another connection or host, cannot make the insert fail.
    /// </summary>
    public static async Task<bool[]> InsertNewAsync<T>(DbContext db, IReadOnlyCollection<T> rows, IReadOnlyList<string> columns, CancellationToken ct) where T : class
    {
        var inserted = new bool[rows.Count];
        if (rows.Count == 0) return inserted;
        var shape = Shape<T>.Of(db, columns, []);
        await ExecuteAsync(db, InsertSql(shape) + " ON CONFLICT DO NOTHING", shape, rows, (row, affected) => inserted[row] = affected == 1, ct);
        return inserted;
    }

    /// <summary>
    /// Inserts each row, or, when a row with the same <paramref name="keys"/> is stored, adds the row's
    /// <paramref name="counters"/> to it (<c>ON CONFLICT … DO UPDATE</c>, atomic against concurrent writers).
    /// </summary>
    public static Task AddCountsAsync<T>(DbContext db, IReadOnlyCollection<T> rows, IReadOnlyList<string> keys, IReadOnlyList<string> counters, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var shape = Shape<T>.Of(db, [.. keys, .. counters], []);
        var add = string.Join(", ", shape.Columns[keys.Count..].Select(c => $"{c} = {shape.Table}.{c} + excluded.{c}"));
        var sql = $"{InsertSql(shape)} ON CONFLICT ({string.Join(", ", shape.Columns[..keys.Count])}) DO UPDATE SET {add}";
        return ExecuteAsync(db, sql, shape, rows, null, ct);
    }

    /// <summary>
    /// Sets <paramref name="columns"/> of each row identified by its <paramref name="keys"/> (the primary key's
    /// properties); a row that no longer exists is skipped.
    /// </summary>
    public static Task UpdateAsync<T>(DbContext db, IReadOnlyCollection<T> rows, IReadOnlyList<string> keys, IReadOnlyList<string> columns, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var shape = Shape<T>.Of(db, columns, keys);
        string Assign(int i) => $"{shape.Columns[i]} = {shape.Placeholders[i]}";
        var set = string.Join(", ", Enumerable.Range(0, columns.Count).Select(Assign));
        var where = string.Join(" AND ", Enumerable.Range(columns.Count, keys.Count).Select(Assign));
        var sql = $"UPDATE {shape.Table} SET {set} WHERE {where}";
        return ExecuteAsync(db, sql, shape, rows, null, ct);
    }

    private static string InsertSql<T>(Shape<T> shape) where T : class
        => $"INSERT INTO {shape.Table} ({string.Join(", ", shape.Columns)}) VALUES ({string.Join(", ", shape.Placeholders)})";

    private static async Task ExecuteAsync<T>(DbContext db, string sql, Shape<T> shape, IReadOnlyCollection<T> rows, Action<int, int>? affected, CancellationToken ct) where T : class
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            DbParameter[]? parameters = null;
            var index = 0;
            foreach (var row in rows)
            {
                if (parameters is null)
                {
                    // Typed by the first row's values (the mapping configures the parameter), then only the values change.
                    parameters = shape.Properties.Select((p, i) => p.Mapping.CreateParameter(command, shape.Names[i], p.Read(row), p.Property.IsNullable)).ToArray();
                    command.Parameters.AddRange(parameters);
                    await command.PrepareAsync(ct);
                }
                else
                {
                    for (var i = 0; i < parameters.Length; i++) parameters[i].Value = shape.Properties[i].Provider(row) ?? DBNull.Value;
                }
                var count = await command.ExecuteNonQueryAsync(ct);
                affected?.Invoke(index++, count);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private sealed record Column<T>(IProperty Property, RelationalTypeMapping Mapping, Func<T, object?> Read)
    {
        public object? Provider(T row)
        {
            var value = Read(row);
            return value is not null && Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }

    private sealed record Shape<T>(string Table, string[] Columns, string[] Names, string[] Placeholders, Column<T>[] Properties) where T : class
    {
        public static Shape<T> Of(DbContext db, IReadOnlyList<string> columns, IReadOnlyList<string> keys)
        {
            var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var helper = db.GetService<ISqlGenerationHelper>();
            var properties = columns.Concat(keys).Select(name =>
            {
                var property = entity.FindProperty(name) ?? throw new InvalidOperationException($"{typeof(T).Name}.{name} is not a mapped property.");
                var getter = property.GetGetter();
                return new Column<T>(property, (RelationalTypeMapping)property.GetTypeMapping(), row => getter.GetClrValue(row));
            }).ToArray();
            var names = properties.Select((_, i) => helper.GenerateParameterName("r" + i)).ToArray();
            return new Shape<T>(helper.DelimitIdentifier(table.Name, table.Schema),
                properties.Select(p => helper.DelimitIdentifier(p.Property.GetColumnName(table)!)).ToArray(),
                names, properties.Select((_, i) => helper.GenerateParameterNamePlaceholder("r" + i)).ToArray(), properties);
        }
    }
}
