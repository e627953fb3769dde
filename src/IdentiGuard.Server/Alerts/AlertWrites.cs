using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Server.Storage;

namespace IdentiGuard.Server.Alerts;

/// <summary>
/// The monitored-event alerts a batch raises, what it changes on those that already exist (grouping counters and
/// times) and the evidence rows it adds: hundreds of rows of three shapes per batch, written through a prepared
/// statement each instead of one EF statement per row (and EF's change tracking, which under an alert storm was half
/// of the time a save held SQLite's write lock). Saved before the context's own changes (history entries may point to
/// the new alerts), in the same transaction.
/// </summary>
public sealed class AlertWrites
{
    private static string[]? alertColumns;

    private static readonly string[] GroupingColumns =
        [nameof(Alert.Count), nameof(Alert.SuppressedCount), nameof(Alert.SuppressionId), nameof(Alert.IsSuppressed),
         nameof(Alert.FirstSeen), nameof(Alert.LastSeen), nameof(Alert.UpdatedAt)];

    private static readonly string[] EvidenceColumns = [nameof(AlertEvent.AlertId), nameof(AlertEvent.StoredEventId)];

    private readonly HashSet<Alert> created = [];
    private readonly HashSet<Alert> changed = [];
    private readonly List<AlertEvent> evidence = [];

    /// <summary>How many new alerts this batch raised.</summary>
    public int CreatedCount => created.Count;

    /// <summary>A new alert (not added to the context), inserted with its values at save time.</summary>
    public void Created(Alert alert) => created.Add(alert);

    /// <summary>An alert whose grouping columns changed; a new one is inserted with them anyway.</summary>
    public void Changed(Alert alert)
    {
        if (!created.Contains(alert)) changed.Add(alert);
    }

    public void Evidence(AlertEvent row) => evidence.Add(row);

    public async Task SaveAsync(IdentiGuardDbContext db, CancellationToken ct)
    {
        alertColumns ??= [.. db.Model.FindEntityType(typeof(Alert))!.GetProperties().Select(p => p.Name)];
        await PreparedRows.InsertAsync(db, created, alertColumns, ct);
        await PreparedRows.UpdateAsync(db, changed, [nameof(Alert.Id)], GroupingColumns, ct);
        await PreparedRows.InsertAsync(db, evidence, EvidenceColumns, ct);
    }
}
