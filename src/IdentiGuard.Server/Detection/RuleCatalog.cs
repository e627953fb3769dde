using System.Text.Json;
using System.Text.RegularExpressions;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Alerts;
using IdentiGuard.Data.Detection;
using IdentiGuard.Detection;
using IdentiGuard.Server.Activity;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Detection;

public enum RuleOrigin { BuiltIn, Custom }

/// <summary>Where a rule stands in a workspace: running, switched off, or unable to run until a required parameter is set.</summary>
public enum RuleStatus { Enabled, Disabled, NeedsConfiguration }

/// <summary>
/// A parameter of a rule (or of a building-block rule it consumes, named by <paramref name="RuleId"/>): its shipped
/// default (null = required) and the workspace's value (null = the default applies). List values are comma-separated.
/// </summary>
public sealed record RuleParameterView(string Name, string RuleId, string? Default, string? Value, bool Required);

public sealed record RuleView(
    string Id, string Title, string Description, AlertSeverity Severity, string Kind,
    IReadOnlyList<string> Tactics, IReadOnlyList<string> Techniques, IReadOnlyList<string> References, IReadOnlyList<string> FalsePositives,
    bool Enabled, bool EnabledByDefault, bool NeedsConfiguration, RuleStatus Status,
    IReadOnlyList<RuleParameterView> Parameters, RuleOrigin Source, string? FileName,
    int HitsTotal, int HitsLast7Days, DateTime? SettingsUpdatedAt, string? SettingsUpdatedBy);

/// <summary>A settings change: <c>enabled</c> null keeps the current state; <c>parameters</c> null keeps every value,
/// otherwise it is the full set of values (a missing, null or blank value falls back to the default).</summary>
public sealed record RuleSettingsInput(bool? Enabled, Dictionary<string, string?>? Parameters);

public sealed record RuleSettingsResult(RuleView? Rule, IReadOnlyDictionary<string, string[]>? Errors);

public sealed record CustomRuleView(string FileName, string Yaml, IReadOnlyList<string> RuleIds, DateTime UpdatedAt, string? UpdatedBy);

public sealed record CustomRuleInput(string? Yaml);

public sealed record RuleValidationInput(string? FileName, string? Yaml);

public sealed record RuleValidationErrorView(string File, int Line, string Reason, string Message);

public sealed record ValidatedRule(string Id, string Title, AlertSeverity Severity, string Kind, bool EmitsAlerts);

public sealed record RuleValidationView(bool IsValid, IReadOnlyList<RuleValidationErrorView> Errors, IReadOnlyList<ValidatedRule> Rules)
{
    /// <summary>Every error as <c>file:line: reason</c>.</summary>
    public IReadOnlyList<string> Messages => Errors.Select(e => e.Message).ToList();
}

public sealed record CustomRuleSaveResult(CustomRuleView? Rule, bool Created, RuleValidationView Validation);

public sealed record CustomRuleDeleteResult(bool Found, IReadOnlyList<string> Errors);

/// <summary>
/// The Rules page and API: a workspace's alerting rules (built-in pack plus its own Sigma files) with their settings
/// and hit counts, settings changes, and custom rule files validated on save. Every change invalidates the workspace's
/// cached rule set, so each tenant's detector rebuilds with it on its next batch.
/// </summary>
public sealed partial class RuleCatalog(IDbContextFactory<IdentiGuardDbContext> dbFactory, WorkspaceRules workspaceRules, ActivityLog activity, TimeProvider time)
{
    public const int MaxYamlLength = 256 * 1024;
    public const int MaxParameterLength = 4000;

    /// <summary>The workspace's rules that raise alerts, most severe first.</summary>
    public async Task<IReadOnlyList<RuleView>> ListAsync(Guid workspaceId, CancellationToken ct = default)
    {
        var set = await workspaceRules.GetAsync(workspaceId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await SettingsAsync(db, workspaceId, ct);
        var hits = await HitsAsync(db, workspaceId, null, ct);
        var byId = set.Pack.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        return set.Pack.Rules.Where(r => r.EmitsAlerts)
            .Select(r => View(r, byId, settings, hits))
            .OrderByDescending(r => r.Severity).ThenBy(r => r.Title, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>One rule of the workspace's pack (building blocks included), or null.</summary>
    public async Task<RuleView?> GetAsync(Guid workspaceId, string ruleId, CancellationToken ct = default)
    {
        var set = await workspaceRules.GetAsync(workspaceId, ct);
        var byId = set.Pack.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        if (!byId.TryGetValue(ruleId, out var rule)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await SettingsAsync(db, workspaceId, ct);
        var hits = await HitsAsync(db, workspaceId, ruleId, ct);
        return View(rule, byId, settings, hits);
    }

    /// <summary>Enables/disables a rule and sets its parameters; null when the rule does not exist.</summary>
    public async Task<RuleSettingsResult?> UpdateSettingsAsync(Guid workspaceId, string ruleId, RuleSettingsInput input, string? actor, CancellationToken ct = default)
    {
        var set = await workspaceRules.GetAsync(workspaceId, ct);
        var byId = set.Pack.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        if (!byId.TryGetValue(ruleId, out var rule)) return null;

        // A correlation's parameters may be declared by the building-block rules it consumes; each is stored on its owner.
        var declared = DeclaredParameters(rule, byId);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var owners = declared.Select(p => p.RuleId).Append(ruleId).Distinct().ToList();
        var rows = await db.RuleSettings.IgnoreQueryFilters().Where(s => s.WorkspaceId == workspaceId && owners.Contains(s.RuleId)).ToListAsync(ct);
        var current = rows.ToDictionary(r => r.RuleId, r => ParseParameters(r.ParametersJson), StringComparer.Ordinal);

        var errors = new Dictionary<string, string[]>();
        Dictionary<string, Dictionary<string, string>>? next = null;
        if (input.Parameters is { } given)
        {
            var names = declared.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, value) in given)
            {
                if (!names.Contains(name))
                    errors[$"parameters.{name}"] = [names.Count == 0
                        ? $"Rule {ruleId} has no parameters."
                        : $"Rule {ruleId} has no parameter '{name}'. Its parameters are: {string.Join(", ", names.Order(StringComparer.Ordinal))}."];
                else if (value is { Length: > MaxParameterLength })
                    errors[$"parameters.{name}"] = [$"Enter at most {MaxParameterLength} characters."];
                else if (value is not null && (value.Contains('\n') || value.Contains('\r')))
                    errors[$"parameters.{name}"] = ["Enter the value on one line; separate list values with commas."];
            }
            if (errors.Count == 0)
            {
                next = owners.ToDictionary(o => o, o => current.GetValueOrDefault(o)?.ToDictionary(StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
                foreach (var p in declared)
                {
                    var value = given.GetValueOrDefault(p.Name)?.Trim();
                    if (string.IsNullOrEmpty(value)) next[p.RuleId].Remove(p.Name);
                    else next[p.RuleId][p.Name] = value;
                }
                // Compile the rules with the new values: a bad CIDR, regex or number is refused now, not at detection time.
                if (CompileError(set.Pack, next) is { } compileError) errors["parameters"] = [compileError];
            }
        }
        if (errors.Count > 0) return new RuleSettingsResult(null, errors);

        var now = time.GetUtcNow().UtcDateTime;
        var before = Describe(rule, rows.FirstOrDefault(r => r.RuleId == ruleId)?.Enabled, current, declared);
        foreach (var owner in owners)
        {
            var row = rows.FirstOrDefault(r => r.RuleId == owner);
            var enabled = owner == ruleId && input.Enabled is { } e ? e : row?.Enabled;
            var parameters = next is null ? row?.ParametersJson : next[owner].Count == 0 ? null : JsonSerializer.Serialize(next[owner]);
            if (row is null)
            {
                if (enabled is null && parameters is null) continue;
                db.RuleSettings.Add(new RuleSetting { WorkspaceId = workspaceId, RuleId = owner, Enabled = enabled, ParametersJson = parameters, UpdatedAt = now, UpdatedBy = actor });
            }
            else if (enabled is null && parameters is null) db.RuleSettings.Remove(row);
            else if (row.Enabled != enabled || row.ParametersJson != parameters || owner == ruleId)
            {
                row.Enabled = enabled;
                row.ParametersJson = parameters;
                row.UpdatedAt = now;
                row.UpdatedBy = actor;
            }
        }
        await db.SaveChangesAsync(ct);
        workspaceRules.Invalidate(workspaceId);

        var after = Describe(rule, input.Enabled ?? rows.FirstOrDefault(r => r.RuleId == ruleId)?.Enabled,
            next?.ToDictionary(k => k.Key, k => (IReadOnlyDictionary<string, string>)k.Value, StringComparer.Ordinal) ?? current, declared);
        await activity.WriteAsync(workspaceId, null, "rule.updated", ActivityOutcome.Success, $"Rule {ruleId}: {before} → {after}", actor, ct: ct);
        return new RuleSettingsResult(await GetAsync(workspaceId, ruleId, ct), null);
    }

    public async Task<IReadOnlyList<CustomRuleView>> ListCustomAsync(Guid workspaceId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.CustomRules.IgnoreQueryFilters().AsNoTracking().Where(r => r.WorkspaceId == workspaceId).ToListAsync(ct);
        var set = await workspaceRules.GetAsync(workspaceId, ct);
        var idsByFile = set.Pack.Rules.GroupBy(r => r.FileName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Id).ToList(), StringComparer.Ordinal);
        return rows.OrderBy(r => r.FileName, StringComparer.OrdinalIgnoreCase)
            .Select(r => new CustomRuleView(r.FileName, r.Yaml, idsByFile.GetValueOrDefault(r.FileName) ?? [], r.UpdatedAt, r.UpdatedBy))
            .ToList();
    }

    /// <summary>
    /// Validates a rule file as it would be saved: on its own (<see cref="RulePack.Validate"/>), then loaded with the built-in
    /// pack and the workspace's other custom files, so ids clashing with another custom file and references to unknown rules
    /// are caught. (A custom rule with a built-in rule's id replaces that built-in rule, as <see cref="RulePack.Load"/> defines.)
    /// </summary>
    public async Task<RuleValidationView> ValidateAsync(Guid workspaceId, string? fileName, string? yaml, CancellationToken ct = default)
    {
        fileName = string.IsNullOrWhiteSpace(fileName) ? "custom-rule.yml" : fileName.Trim();
        var file = FileNameError(fileName) is null ? fileName : "custom-rule.yml";
        if (string.IsNullOrWhiteSpace(yaml)) return Invalid(file, 1, "the file is empty: paste a Sigma rule");
        if (yaml.Length > MaxYamlLength) return Invalid(file, 1, $"the file is larger than {MaxYamlLength / 1024} KB");

        var source = new RuleSource(file, yaml);
        var alone = RulePack.Validate(source);
        if (!alone.IsValid) return ToView(alone.Errors, []);
        if (alone.Rules.Count == 0) return Invalid(file, 1, "the file holds no rule");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var others = await db.CustomRules.IgnoreQueryFilters().AsNoTracking().Where(r => r.WorkspaceId == workspaceId && r.FileName != file)
            .Select(r => new RuleSource(r.FileName, r.Yaml)).ToListAsync(ct);
        try
        {
            var pack = RulePack.Load([.. others, source]);
            var ids = alone.Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            return ToView([], pack.Rules.Where(r => ids.Contains(r.Id)).ToList());
        }
        catch (RuleValidationException ex)
        {
            return ToView([new RuleValidationError(ex.File, ex.Line, ex.Reason)], []);
        }
    }

    /// <summary>Adds or replaces a custom rule file; refused (nothing saved) unless it validates.</summary>
    public async Task<CustomRuleSaveResult> SaveCustomAsync(Guid workspaceId, string fileName, string? yaml, string? actor, CancellationToken ct = default)
    {
        fileName = fileName.Trim();
        if (FileNameError(fileName) is { } nameError)
            return new CustomRuleSaveResult(null, false, new RuleValidationView(false, [new RuleValidationErrorView(fileName, 0, nameError, $"{fileName}:0: {nameError}")], []));
        var validation = await ValidateAsync(workspaceId, fileName, yaml, ct);
        if (!validation.IsValid) return new CustomRuleSaveResult(null, false, validation);

        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.CustomRules.IgnoreQueryFilters().FirstOrDefaultAsync(r => r.WorkspaceId == workspaceId && r.FileName == fileName, ct);
        var created = row is null;
        if (row is null)
        {
            row = new CustomRule { Id = Guid.NewGuid(), WorkspaceId = workspaceId, FileName = fileName, Yaml = yaml!, UpdatedAt = now, UpdatedBy = actor };
            db.CustomRules.Add(row);
        }
        else
        {
            row.Yaml = yaml!;
            row.UpdatedAt = now;
            row.UpdatedBy = actor;
        }
        await db.SaveChangesAsync(ct);
        workspaceRules.Invalidate(workspaceId);
        var ids = validation.Rules.Select(r => r.Id).ToList();
        await activity.WriteAsync(workspaceId, null, created ? "rule.custom.added" : "rule.custom.replaced", ActivityOutcome.Success,
            $"Custom rule file {fileName} {(created ? "added" : "replaced")}: {string.Join(", ", ids)}", actor, ct: ct);
        return new CustomRuleSaveResult(new CustomRuleView(fileName, row.Yaml, ids, now, actor), created, validation);
    }

    /// <summary>Deletes a custom rule file, unless another custom file still refers to its rules.</summary>
    public async Task<CustomRuleDeleteResult> DeleteCustomAsync(Guid workspaceId, string fileName, string? actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.CustomRules.IgnoreQueryFilters().Where(r => r.WorkspaceId == workspaceId).ToListAsync(ct);
        var row = rows.FirstOrDefault(r => r.FileName == fileName);
        if (row is null) return new CustomRuleDeleteResult(false, []);
        try
        {
            RulePack.Load(rows.Where(r => r != row).Select(r => new RuleSource(r.FileName, r.Yaml)).ToList());
        }
        catch (RuleValidationException ex)
        {
            return new CustomRuleDeleteResult(true, [$"{ex.File}:{ex.Line}: {ex.Reason} (delete or change that file first)"]);
        }
        db.CustomRules.Remove(row);
        await db.SaveChangesAsync(ct);
        workspaceRules.Invalidate(workspaceId);
        await activity.WriteAsync(workspaceId, null, "rule.custom.deleted", ActivityOutcome.Success, $"Custom rule file {fileName} deleted", actor, ct: ct);
        return new CustomRuleDeleteResult(true, []);
    }

    /// <summary>Why a custom rule file name is not acceptable, or null.</summary>
    public static string? FileNameError(string fileName)
    {
        if (fileName.Length is 0 or > 200) return "Give the file a name of 1 to 200 characters.";
        if (!FileNamePattern().IsMatch(fileName)) return "Use a file name of letters, digits, '-', '_' and '.', ending in .yml or .yaml (for example my-rule.yml).";
        return null;
    }

    private static RuleView View(RuleInfo rule, IReadOnlyDictionary<string, RuleInfo> byId, IReadOnlyDictionary<string, RuleSetting> settings,
        IReadOnlyDictionary<string, (int Total, int Recent)> hits)
    {
        var setting = settings.GetValueOrDefault(rule.Id);
        var parameters = DeclaredParameters(rule, byId).Select(p =>
        {
            var value = settings.GetValueOrDefault(p.RuleId) is { ParametersJson: { } json } ? ParseParameters(json).GetValueOrDefault(p.Name) : null;
            return p with { Value = value };
        }).ToList();
        var enabled = setting?.Enabled ?? rule.EnabledByDefault;
        var needsConfiguration = parameters.Any(p => p.Required && string.IsNullOrEmpty(p.Value));
        var status = needsConfiguration ? RuleStatus.NeedsConfiguration : enabled ? RuleStatus.Enabled : RuleStatus.Disabled;
        // Built-in files are named Rules/…; a custom file name has no '/'. (A custom rule may replace a built-in one by id.)
        var builtIn = rule.FileName.StartsWith("Rules/", StringComparison.Ordinal);
        var (total, recent) = hits.GetValueOrDefault(rule.Id);
        return new RuleView(rule.Id, rule.Title, rule.Description, (AlertSeverity)(int)rule.Level, rule.Kind,
            rule.Tactics, rule.Techniques, rule.References, rule.FalsePositives,
            enabled, rule.EnabledByDefault, needsConfiguration, status, parameters,
            builtIn ? RuleOrigin.BuiltIn : RuleOrigin.Custom, builtIn ? null : rule.FileName,
            total, recent, setting?.UpdatedAt, setting?.UpdatedBy);
    }

    /// <summary>The rule's own parameters, then those of the building blocks it consumes (first declaration of a name wins).</summary>
    private static List<RuleParameterView> DeclaredParameters(RuleInfo rule, IReadOnlyDictionary<string, RuleInfo> byId)
    {
        var list = new List<RuleParameterView>();
        foreach (var owner in rule.ConsumesRules.Select(id => byId.GetValueOrDefault(id)).OfType<RuleInfo>().Prepend(rule))
            foreach (var (name, def) in owner.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
                list.Add(new RuleParameterView(name, owner.Id, def, null, def is null));
        return list;
    }

    private static string Describe(RuleInfo rule, bool? enabledOverride, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> values, IReadOnlyList<RuleParameterView> declared)
    {
        var enabled = enabledOverride ?? rule.EnabledByDefault;
        var text = enabled ? "enabled" : "disabled";
        var set = declared.Select(p => values.GetValueOrDefault(p.RuleId)?.GetValueOrDefault(p.Name) is { } v ? $"{p.Name}={v}" : null).OfType<string>().ToList();
        return declared.Count == 0 ? text : $"{text}, {(set.Count == 0 ? "default parameters" : string.Join("; ", set))}";
    }

    private static string? CompileError(RulePack pack, Dictionary<string, Dictionary<string, string>> values)
    {
        var parameters = values.Where(v => v.Value.Count > 0)
            .ToDictionary(v => v.Key, v => (IReadOnlyDictionary<string, string>)v.Value, StringComparer.Ordinal);
        try
        {
            _ = new TenantDetector(pack, new DetectionSettings(Parameters: parameters), TimeProvider.System);
            return null;
        }
        catch (RuleValidationException ex)
        {
            return $"The parameter values do not work with the rule: {ex.Reason}.";
        }
    }

    private static IReadOnlyDictionary<string, string> ParseParameters(string? json)
    {
        if (string.IsNullOrEmpty(json)) return new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }

    private static async Task<Dictionary<string, RuleSetting>> SettingsAsync(IdentiGuardDbContext db, Guid workspaceId, CancellationToken ct)
        => await db.RuleSettings.IgnoreQueryFilters().AsNoTracking().Where(s => s.WorkspaceId == workspaceId).ToDictionaryAsync(s => s.RuleId, StringComparer.Ordinal, ct);

    /// <summary>Detection alerts per rule: total and those seen in the last 7 days, in one grouped query.</summary>
    private async Task<Dictionary<string, (int Total, int Recent)>> HitsAsync(IdentiGuardDbContext db, Guid workspaceId, string? ruleId, CancellationToken ct)
    {
        var since = time.GetUtcNow().UtcDateTime.AddDays(-7);
        var alerts = db.Alerts.IgnoreQueryFilters().AsNoTracking().Where(a => a.WorkspaceId == workspaceId && a.Kind == AlertKind.Detection);
        if (ruleId is not null) alerts = alerts.Where(a => a.RuleId == ruleId);
        var rows = await alerts.GroupBy(a => a.RuleId)
            .Select(g => new { RuleId = g.Key, Total = g.Count(), Recent = g.Count(a => a.LastSeen >= since) })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.RuleId, r => (r.Total, r.Recent), StringComparer.Ordinal);
    }

    private static RuleValidationView Invalid(string file, int line, string reason) => ToView([new RuleValidationError(file, line, reason)], []);

    private static RuleValidationView ToView(IReadOnlyList<RuleValidationError> errors, IReadOnlyList<RuleInfo> rules) => new(
        errors.Count == 0,
        errors.Select(e => new RuleValidationErrorView(e.File, e.Line, e.Reason, e.ToString())).ToList(),
        rules.Select(r => new ValidatedRule(r.Id, r.Title, (AlertSeverity)(int)r.Level, r.Kind, r.EmitsAlerts)).ToList());

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._\-]*\.(yml|yaml)$")]
    private static partial Regex FileNamePattern();
}
