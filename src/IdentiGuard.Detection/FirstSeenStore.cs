namespace IdentiGuard.Detection;

/// <summary>One remembered value of an entity for a first_seen rule (event times, UTC).</summary>
public sealed record FirstSeenEntry(string RuleId, string Entity, string Value, DateTime FirstSeen, DateTime LastSeen);

/// <summary>Persistence seam for first_seen history. The host may implement it over its database;
/// <see cref="InMemoryFirstSeenStore"/> is the default and can be exported/imported. Calls are made from the
/// detector's (single) thread.</summary>
public interface IFirstSeenStore
{
    FirstSeenEntry? Get(string ruleId, string entity, string value);
    void Put(FirstSeenEntry entry);
}

public sealed class InMemoryFirstSeenStore : IFirstSeenStore
{
    private readonly Dictionary<(string, string, string), FirstSeenEntry> _entries = new();

    public int Count => _entries.Count;

    public FirstSeenEntry? Get(string ruleId, string entity, string value)
        => _entries.GetValueOrDefault((ruleId, entity, value));

    public void Put(FirstSeenEntry entry) => _entries[(entry.RuleId, entry.Entity, entry.Value)] = entry;

    public IReadOnlyList<FirstSeenEntry> Export() => _entries.Values.ToList();

    public void Import(IEnumerable<FirstSeenEntry> entries)
    {
        foreach (var e in entries)
        {
            var key = (e.RuleId, e.Entity, e.Value);
            if (_entries.TryGetValue(key, out var old))
                _entries[key] = old with
                {
                    FirstSeen = old.FirstSeen < e.FirstSeen ? old.FirstSeen : e.FirstSeen,
                    LastSeen = old.LastSeen > e.LastSeen ? old.LastSeen : e.LastSeen,
                };
            else _entries[key] = e;
        }
    }

    /// <summary>Drops entries last seen before <paramref name="olderThan"/>.</summary>
    public int Prune(DateTime olderThan)
    {
        var dead = _entries.Where(kv => kv.Value.LastSeen < olderThan).Select(kv => kv.Key).ToList();
        foreach (var k in dead) _entries.Remove(k);
        return dead.Count;
    }
}
