using System.Collections.Concurrent;
using System.Text.Json;
using IdentiGuard.Data;
using IdentiGuard.Detection;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Detection;

/// <summary>A workspace's rules as the engine runs them: the built-in pack plus its own Sigma rules, and its settings.</summary>
public sealed record WorkspaceRuleSet(RulePack Pack, DetectionSettings Settings, long Version);

/// <summary>
/// Builds and caches each workspace's rule set. A change to a workspace's rules bumps its version, and each tenant's
/// detector rebuilds itself when it sees a newer version.
/// </summary>
public sealed class WorkspaceRules(IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<Guid, WorkspaceRuleSet> cache = new();
    private long version;

    public async Task<WorkspaceRuleSet> GetAsync(Guid workspaceId, CancellationToken ct)
    {
        if (cache.TryGetValue(workspaceId, out var cached)) return cached;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var custom = await db.CustomRules.IgnoreQueryFilters().AsNoTracking().Where(r => r.WorkspaceId == workspaceId)
            .Select(r => new RuleSource(r.FileName, r.Yaml)).ToListAsync(ct);
        var settings = await db.RuleSettings.IgnoreQueryFilters().AsNoTracking().Where(r => r.WorkspaceId == workspaceId).ToListAsync(ct);

        var pack = custom.Count == 0 ? RulePack.BuiltIn() : RulePack.Load(custom);
        var enabled = settings.Where(s => s.Enabled == true).Select(s => s.RuleId).ToHashSet(StringComparer.Ordinal);
        var disabled = settings.Where(s => s.Enabled == false).Select(s => s.RuleId).ToHashSet(StringComparer.Ordinal);
        var parameters = settings.Where(s => s.ParametersJson is not null)
            .ToDictionary(s => s.RuleId, s => (IReadOnlyDictionary<string, string>)(JsonSerializer.Deserialize<Dictionary<string, string>>(s.ParametersJson!) ?? []), StringComparer.Ordinal);
        var set = new WorkspaceRuleSet(pack, new DetectionSettings(enabled, disabled, parameters), Interlocked.Increment(ref version));
        return cache.GetOrAdd(workspaceId, set);
    }

    /// <summary>Called after a workspace's rules or settings changed.</summary>
    public void Invalidate(Guid workspaceId) => cache.TryRemove(workspaceId, out _);
}
