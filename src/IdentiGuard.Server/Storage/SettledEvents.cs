using System.Collections.Concurrent;
using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// The highest stored-event id below which no insert can still appear. Processing follows a cursor over event ids, which
/// is only safe if ids become visible in order. SQLite has one writer at a time, so they do. PostgreSQL hands out an id
/// when a row is inserted but shows the row when its transaction commits: two concurrent stores (a hook delivery and the
/// poller, or two hosts) can commit in the opposite order, and a cursor that moved past the later id would skip the
/// earlier one for ever. So on PostgreSQL the bound is read under a SHARE lock on the table, which waits for every
/// transaction that is inserting (they hold ROW EXCLUSIVE from before their ids are drawn until they end): every id up to
/// the sequence's last value is then committed or rolled back. New inserts wait only for that short transaction, and
/// callers that ask while a bound is being read share the next one.
/// </summary>
public static class SettledEvents
{
    /// <summary>Per database (tests run several apps in one process).</summary>
    private sealed class Reader
    {
        public readonly SemaphoreSlim Reading = new(1, 1);
        public long LastBound;
        public long LastReadStartedTicks;
    }

    private static readonly ConcurrentDictionary<string, Reader> Readers = new(StringComparer.Ordinal);

    public static async Task<long> UpperBoundAsync(IdentiGuardDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql()) return long.MaxValue;

        var reader = Readers.GetOrAdd(db.Database.GetConnectionString() ?? "", _ => new Reader());
        var askedTicks = DateTime.UtcNow.Ticks;
        await reader.Reading.WaitAsync(ct);
        try
        {
            // A bound read that started after this call was made covers everything committed before it.
            if (Volatile.Read(ref reader.LastReadStartedTicks) > askedTicks) return Volatile.Read(ref reader.LastBound);
            var startedTicks = DateTime.UtcNow.Ticks;
            var table = db.Model.FindEntityType(typeof(StoredEvent))!.GetTableName()!;
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // The table name comes from the model, never from input.
            var lockSql = $"LOCK TABLE \"{table}\" IN SHARE MODE";
            var boundSql = $"SELECT {LastIdSql(table)} AS \"Value\"";
            await db.Database.ExecuteSqlRawAsync(lockSql, ct);
            var bound = await db.Database.SqlQueryRaw<long>(boundSql).SingleAsync(ct);
            await transaction.CommitAsync(ct);
            Volatile.Write(ref reader.LastBound, bound);
            Volatile.Write(ref reader.LastReadStartedTicks, startedTicks);
            return bound;
        }
        finally
        {
            reader.Reading.Release();
        }
    }

    /// <summary>The last id the table's identity sequence handed out (0 before the first), whichever session took it.</summary>
    private static string LastIdSql(string table)
        => $"coalesce((SELECT last_value FROM pg_sequences WHERE format('%I.%I', schemaname, sequencename) = pg_get_serial_sequence('\"{table}\"', 'Id')), 0)";
}
