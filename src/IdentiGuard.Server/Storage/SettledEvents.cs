using IdentiGuard.Data;
using IdentiGuard.Data.Ingestion;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// The highest stored-event id below which no insert can still appear. Processing follows a cursor over event ids, which
/// is only safe if ids become visible in order. SQLite has one writer at a time, so they do. PostgreSQL hands out ids
/// when a row is inserted but shows the row when its transaction commits: two concurrent stores (a hook delivery and the
/// poller, or two hosts) can commit in the opposite order, and a cursor that moved past the later id would skip the
/// earlier one for ever. So on PostgreSQL the bound is the sequence's last value, taken once every transaction that was
/// running when it was read has ended: every id at or below it is then committed or rolled back.
/// </summary>
public static class SettledEvents
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    public static async Task<long> UpperBoundAsync(IdentiGuardDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql()) return long.MaxValue;

        var table = db.Model.FindEntityType(typeof(StoredEvent))!.GetTableName();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(ct);
        try
        {
            // Read the bound first, then the transactions in progress: whoever took an id up to the bound is among them or done.
            await using var read = new NpgsqlCommand(
                $"SELECT {LastIdSql(table!)}, ARRAY(SELECT pg_snapshot_xip(pg_current_snapshot())::text)", connection);
            long bound;
            string[] running;
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                bound = reader.GetInt64(0);
                running = reader.GetFieldValue<string[]>(1);
            }
            if (running.Length == 0) return bound;

            var deadline = DateTime.UtcNow + MaxWait;
            await using var status = new NpgsqlCommand("SELECT count(*) FROM unnest(@xids::text[]) x WHERE pg_xact_status(x::xid8) = 'in progress'", connection);
            status.Parameters.AddWithValue("xids", running);
            while ((long)(await status.ExecuteScalarAsync(ct))! > 0)
            {
                // A transaction that runs this long is not a store: settle for what is certainly visible, and come back.
                if (DateTime.UtcNow > deadline) throw new TimeoutException("Transactions that may hold stored-event ids are still running.");
                await Task.Delay(5, ct);
            }
            return bound;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    /// <summary>The last id the table's identity sequence handed out (0 before the first), whichever session took it.</summary>
    private static string LastIdSql(string table)
        => $"coalesce((SELECT last_value FROM pg_sequences WHERE format('%I.%I', schemaname, sequencename) = pg_get_serial_sequence('\"{table}\"', 'Id')), 0)";
}
