using System.Reflection;

namespace IdentiGuard.Detection;

/// <summary>An immutable, validated set of rules (base + correlation), compiled with default parameters.</summary>
public sealed class RulePack
{
    private const string ResourcePrefix = "IdentiGuard.Detection.Rules/";
    private static readonly Lazy<RulePack> BuiltInPack = new(() => Load([], includeBuiltIn: true));

    internal RulePack(List<RuleDef> defs, List<CompiledRule> compiled)
    {
        Defs = defs;
        Compiled = compiled;
        ById = compiled.ToDictionary(c => c.Id, StringComparer.Ordinal);
        Rules = defs.Select(d => d.ToInfo()).ToList();
        var longest = TimeSpan.Zero;
        foreach (var d in defs)
        {
            if (d.Dedup > longest) longest = d.Dedup;
            if (d.Correlation is { } c && c.Timespan > longest) longest = c.Timespan;
        }
        LongestWindow = longest;
    }

    internal List<RuleDef> Defs { get; }
    internal List<CompiledRule> Compiled { get; }
    internal Dictionary<string, CompiledRule> ById { get; }

    public IReadOnlyList<RuleInfo> Rules { get; }

    /// <summary>Longest correlation timespan / dedup window; the host replays stored events this far back after a restart.
    /// (first_seen history is not included: it is persisted through <see cref="IFirstSeenStore"/>.)</summary>
    public TimeSpan LongestWindow { get; }

    public static RulePack BuiltIn() => BuiltInPack.Value;

    /// <summary>The embedded built-in rule files.</summary>
    public static IReadOnlyList<RuleSource> BuiltInSources()
    {
        var asm = typeof(RulePack).Assembly;
        var list = new List<RuleSource>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal))
        {
            using var s = asm.GetManifestResourceStream(name)!;
            using var r = new StreamReader(s);
            list.Add(new RuleSource("Rules/" + name[ResourcePrefix.Length..], r.ReadToEnd()));
        }
        return list;
    }

    /// <summary>Loads rules; throws <see cref="RuleValidationException"/> for the first invalid file.</summary>
    public static RulePack Load(IEnumerable<RuleSource> sources, bool includeBuiltIn = true)
    {
        var user = new List<RuleDef>();
        foreach (var src in sources) user.AddRange(RuleParser.ParseFile(src));
        var defs = new List<RuleDef>();
        if (includeBuiltIn)
        {
            // a user rule with the id of a built-in rule replaces it (workspace override)
            var userIds = user.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var src in BuiltInSources())
                defs.AddRange(RuleParser.ParseFile(src).Where(d => !userIds.Contains(d.Id)));
        }
        defs.AddRange(user);
        return Build(defs);
    }

    /// <summary>Loads rule files from a directory (*.yml, *.yaml, recursively).</summary>
    public static IReadOnlyList<RuleSource> ReadDirectory(string dir)
    {
        return Directory.EnumerateFiles(dir, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new RuleSource(f, File.ReadAllText(f)))
            .ToList();
    }

    /// <summary>Validates one file (for "validated on save"); correlations may refer to built-in rules.</summary>
    public static RuleValidationResult Validate(RuleSource source)
    {
        try
        {
            var defs = RuleParser.ParseFile(source);
            var builtIn = BuiltInSources().SelectMany(RuleParser.ParseFile).Where(b => defs.All(d => d.Id != b.Id));
            var pack = Build([.. builtIn, .. defs]);
            var ids = defs.Select(d => d.Id).ToHashSet();
            return new RuleValidationResult(true, [], pack.Rules.Where(r => ids.Contains(r.Id)).ToList());
        }
        catch (RuleValidationException ex)
        {
            return new RuleValidationResult(false, [new RuleValidationError(ex.File, ex.Line, ex.Reason)], []);
        }
    }

    private static RulePack Build(List<RuleDef> defs)
    {
        var byId = new Dictionary<string, RuleDef>(StringComparer.Ordinal);
        var byName = new Dictionary<string, RuleDef>(StringComparer.Ordinal);
        foreach (var d in defs)
        {
            if (!byId.TryAdd(d.Id, d))
                throw new RuleValidationException(d.File, d.Line, $"duplicate rule id '{d.Id}' (also in {byId[d.Id].File})");
        }
        foreach (var d in defs)
        {
            if (d.Name is { } n && !byName.TryAdd(n, d) && byName[n] != d)
                throw new RuleValidationException(d.File, d.Line, $"duplicate rule name '{n}' (also in {byName[n].File})");
        }
        var consumed = new Dictionary<string, bool>(StringComparer.Ordinal); // id -> generate
        foreach (var d in defs)
        {
            d.EmitsAlerts = true;
            d.ConsumedRuleIds.Clear();
        }
        foreach (var d in defs)
        {
            if (d.Correlation is not { } c) continue;
            foreach (var (r, line) in c.Rules)
            {
                var target = byName.GetValueOrDefault(r) ?? byId.GetValueOrDefault(r)
                    ?? throw new RuleValidationException(d.File, line, $"correlation refers to unknown rule '{r}'");
                if (target.Correlation is not null)
                    throw new RuleValidationException(d.File, line, $"correlation refers to correlation rule '{r}' (chaining is not supported)");
                d.ConsumedRuleIds.Add(target.Id);
                consumed[target.Id] = consumed.GetValueOrDefault(target.Id) || c.Generate;
            }
        }
        foreach (var (id, gen) in consumed) byId[id].EmitsAlerts = gen;
        var compiled = new List<CompiledRule>(defs.Count);
        var empty = new Dictionary<string, string[]?>();
        foreach (var d in defs) compiled.Add(RuleCompiler.Compile(d, empty));
        return new RulePack(defs, compiled);
    }
}
