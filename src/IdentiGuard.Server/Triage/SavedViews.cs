using System.Text.Json;
using System.Text.Json.Serialization;
using IdentiGuard.Data;
using IdentiGuard.Data.Triage;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Triage;

public sealed record SavedViewInput(string? Name, AlertViewFilter? Filter);

public sealed record SavedViewItem(Guid Id, string Name, AlertViewFilter Filter, DateTime CreatedAt);

/// <summary>Named alert filters, per member per workspace. Saving a name again replaces that view.</summary>
public sealed class SavedViews(IDbContextFactory<IdentiGuardDbContext> dbFactory, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() }, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<IReadOnlyList<SavedViewItem>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.SavedAlertViews.AsNoTracking().Where(v => v.UserId == userId).OrderBy(v => v.Name).ToListAsync(ct);
        return rows.Select(ToItem).ToList();
    }

    public async Task<(SavedViewItem? View, IDictionary<string, string[]>? Errors)> SaveAsync(Guid userId, SavedViewInput input, CancellationToken ct = default)
    {
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
            return (null, new Dictionary<string, string[]> { ["name"] = ["Give the view a name of 1 to 100 characters."] });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var view = await db.SavedAlertViews.FirstOrDefaultAsync(v => v.UserId == userId && v.Name == name, ct);
        var filterJson = JsonSerializer.Serialize(input.Filter ?? new AlertViewFilter(), Json);
        if (view is null)
        {
            view = new SavedAlertView
            {
                Id = Guid.NewGuid(), WorkspaceId = db.CurrentWorkspaceId!.Value, UserId = userId, Name = name, FilterJson = filterJson,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
            db.SavedAlertViews.Add(view);
        }
        else view.FilterJson = filterJson;
        await db.SaveChangesAsync(ct);
        return (ToItem(view), null);
    }

    public async Task<bool> DeleteAsync(Guid userId, Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.SavedAlertViews.Where(v => v.Id == id && v.UserId == userId).ExecuteDeleteAsync(ct) > 0;
    }

    private static SavedViewItem ToItem(SavedAlertView v) =>
        new(v.Id, v.Name, JsonSerializer.Deserialize<AlertViewFilter>(v.FilterJson, Json) ?? new AlertViewFilter(), v.CreatedAt);
}
