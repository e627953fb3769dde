using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// WAL lets readers run beside the writer; synchronous=FULL makes every commit durable before it returns, which is
/// what lets the hook endpoint acknowledge Okta only after the events are on disk. Memory-mapped reads spare every
/// connection the read() calls and copies of reloading its page cache, which SQLite discards whenever another
/// connection has written (all the time, under hook load). The log is copied into the database by
/// <see cref="SqliteCheckpointer"/>; SQLite's own checkpoint, which a commit would wait for, only runs if the log
/// reaches 20,000 pages (about 80 MB) because that one fell behind.
/// </summary>
internal sealed class SqliteDurabilityInterceptor : DbConnectionInterceptor
{
    public static readonly SqliteDurabilityInterceptor Instance = new();

    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456; PRAGMA wal_autocheckpoint=20000;";

    /// <summary>
    /// The native connections already set up. EF opens a pooled connection for nearly every command, and the pragmas
    /// are properties of the native connection, which the pool keeps: setting them again on each open was measurable.
    /// </summary>
    private readonly ConditionalWeakTable<object, object> prepared = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!NeedsPragmas(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        Prepared(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!NeedsPragmas(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Prepared(connection);
    }

    private bool NeedsPragmas(DbConnection connection) => connection is not SqliteConnection { Handle: { } handle } || !prepared.TryGetValue(handle, out _);

    private void Prepared(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) prepared.AddOrUpdate(handle, handle);
    }
}
