using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace IdentiGuard.LoadTest;

internal sealed record FloorResult(int Events, int Commits, TimeSpan Elapsed, int BatchEvents)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>
/// The floor: the least work that stores the same events with the same durability. One thread takes the same delivery
/// bodies, parses each with System.Text.Json (the indexed fields and each event's JSON text, as IdentiGuard stores
/// them), and inserts them with one prepared statement into a fresh SQLite database with IdentiGuard's own
/// <c>Events</c> table and indexes (copied from the server's database), in WAL mode with <c>synchronous=FULL</c> and one
/// transaction per batch of <see cref="FloorResult.BatchEvents"/> events. No HTTP, no authentication, no dedup query, no
/// audit row, no ORM: the ratio app/floor is what all of those cost.
/// </summary>
internal static class Floor
{
    public static FloorResult Run(string serverDatabase, DeliveryFactory deliveries, int eventsPerDelivery, int batchEvents, TimeSpan duration)
    {
        var directory = Directory.CreateTempSubdirectory("identiguard-floor-");
        try
        {
            return Measure(Path.Combine(directory.FullName, "floor.db"), serverDatabase, deliveries, eventsPerDelivery, batchEvents, duration);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static FloorResult Measure(string path, string serverDatabase, DeliveryFactory deliveries, int eventsPerDelivery, int batchEvents, TimeSpan duration)
    {
        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        Execute(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        foreach (var statement in EventsSchema(serverDatabase)) Execute(db, statement);

        using var insert = db.CreateCommand();
        insert.CommandText = """
            INSERT INTO "Events" ("WorkspaceId", "TenantId", "Uuid", "EventType", "Published", "ReceivedAt", "Source", "ActorId", "ActorAlternateId", "ClientIp", "OutcomeResult", "Json")
            VALUES ($w, $t, $u, $type, $p, $r, 0, $aid, $alt, $ip, $out, $json)
            """;
        var p = new[] { "$w", "$t", "$u", "$type", "$p", "$r", "$aid", "$alt", "$ip", "$out", "$json" }.ToDictionary(n => n, n => insert.Parameters.Add(n, SqliteType.Text));
        insert.Prepare();

        // Bodies are made before the clock starts (the generator is not the floor); reused under a new tenant id per
        // round, since (TenantId, Uuid) is unique.
        var deliveriesPerBatch = Math.Max(1, (int)Math.Round(batchEvents / (double)eventsPerDelivery));
        var bodies = Enumerable.Range(0, Math.Max(512, 4 * deliveriesPerBatch))
            .Select(_ => deliveries.Create(eventsPerDelivery)).ToArray();
        var workspace = Guid.NewGuid().ToString().ToUpperInvariant();
        var events = 0;
        var commits = 0;
        var next = 0;
        var tenant = Guid.NewGuid().ToString().ToUpperInvariant();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            using var transaction = db.BeginTransaction();
            insert.Transaction = transaction;
            var received = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            for (var d = 0; d < deliveriesPerBatch; d++)
            {
                if (next == bodies.Length)
                {
                    next = 0;
                    tenant = Guid.NewGuid().ToString().ToUpperInvariant();
                }
                using var document = JsonDocument.Parse(bodies[next++]);
                foreach (var e in document.RootElement.GetProperty("data").GetProperty("events").EnumerateArray())
                {
                    var actor = e.TryGetProperty("actor", out var a) ? a : default;
                    p["$w"].Value = workspace;
                    p["$t"].Value = tenant;
                    p["$u"].Value = e.GetProperty("uuid").GetString();
                    p["$type"].Value = e.GetProperty("eventType").GetString();
                    p["$p"].Value = e.GetProperty("published").GetDateTime().ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                    p["$r"].Value = received;
                    p["$aid"].Value = Text(actor, "id");
                    p["$alt"].Value = Text(actor, "alternateId");
                    p["$ip"].Value = e.TryGetProperty("client", out var c) ? Text(c, "ipAddress") : DBNull.Value;
                    p["$out"].Value = e.TryGetProperty("outcome", out var o) ? Text(o, "result") : DBNull.Value;
                    p["$json"].Value = e.GetRawText();
                    insert.ExecuteNonQuery();
                    events++;
                }
            }
            transaction.Commit();
            commits++;
        }
        return new FloorResult(events, commits, clock.Elapsed, deliveriesPerBatch * eventsPerDelivery);
    }

    private static object Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : DBNull.Value;

    /// <summary>IdentiGuard's <c>Events</c> table and its indexes, as the server's migrations created them.</summary>
    private static List<string> EventsSchema(string serverDatabase)
    {
        using var source = new SqliteConnection($"Data Source={serverDatabase};Mode=ReadOnly;Pooling=False");
        source.Open();
        using var query = source.CreateCommand();
        query.CommandText = "SELECT sql FROM sqlite_master WHERE tbl_name = 'Events' AND sql IS NOT NULL ORDER BY type = 'index', name";
        using var reader = query.ExecuteReader();
        var statements = new List<string>();
        while (reader.Read()) statements.Add(reader.GetString(0));
        if (statements.Count == 0) throw new InvalidOperationException($"{serverDatabase} has no Events table.");
        return statements;
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
