using IdentiGuard.Data;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Server.Storage;

namespace IdentiGuard.Server.Alerts;

/// <summary>
/// What processing a batch changes on alerts that already exist (grouping counters and times) and the evidence rows
/// it adds: hundreds of rows of two shapes per batch, written through two prepared statements instead of one EF
/// statement each. Saved after the context's own changes (which insert new alerts the evidence may point to), in
/// the same transaction.
/// </summary>
public sealed class AlertWrites
{
    private static readonly string[] GroupingColumns =
        [nameof(Alert.Count), nameof(Alert.SuppressedCount), nameof(Alert.SuppressionId), nameof(Alert.IsSuppressed),
         nameof(Alert.FirstSeen), nameof(Alert.LastSeen), nameof(Alert.UpdatedAt)];

    private static readonly string[] EvidenceColumns = [nameof(AlertEvent.AlertId), nameof(AlertEvent.StoredEventId)];

    private readonly HashSet<Alert> changed = [];
    private readonly List<AlertEvent> evidence = [];

    /// <summary>An untracked, existing alert whose grouping columns changed.</summary>
    public void Changed(Alert alert) => changed.Add(alert);

    public void Evidence(AlertEvent row) => evidence.Add(row);

    public async Task SaveAsync(IdentiGuardDbContext db, CancellationToken ct)
    {
        await PreparedRows.UpdateAsync(db, changed, [nameof(Alert.Id)], GroupingColumns, ct);
        await PreparedRows.InsertAsync(db, evidence, EvidenceColumns, ct);
    }
}
