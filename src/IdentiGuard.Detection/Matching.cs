using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IdentiGuard.Detection;

/// <summary>Counters for diagnostics (regex timeouts).</summary>
public static class DetectionDiagnostics
{
    private static long _regexTimeouts;
    public static long RegexTimeouts => Interlocked.Read(ref _regexTimeouts);
    internal static void RegexTimedOut() => Interlocked.Increment(ref _regexTimeouts);
    public static TimeSpan RegexTimeout { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>One value pattern of a field (already compiled).</summary>
internal abstract class ValuePattern
{
    public abstract bool Match(string? text, OktaEvent ev);
    public abstract string Describe();
}

internal sealed class NullPattern : ValuePattern
{
    public override bool Match(string? text, OktaEvent ev) => text is null;
    public override string Describe() => "null";
}

internal sealed class ExistsPattern(bool exists) : ValuePattern
{
    public override bool Match(string? text, OktaEvent ev) => (text is not null) == exists;
    public override string Describe() => exists ? "exists" : "not exists";
}

internal enum StrOp { Equals, Contains, StartsWith, EndsWith }

internal sealed class StringPattern(string value, StrOp op, StringComparison cmp) : ValuePattern
{
    public override bool Match(string? text, OktaEvent ev)
    {
        if (text is null) return false;
        return op switch
        {
            StrOp.Equals => string.Equals(text, value, cmp),
            StrOp.Contains => text.Contains(value, cmp),
            StrOp.StartsWith => text.StartsWith(value, cmp),
            _ => text.EndsWith(value, cmp),
        };
    }
    public override string Describe() => op == StrOp.Equals ? value : $"{op.ToString().ToLowerInvariant()} '{value}'";
}

internal sealed class RegexPattern(Regex regex, string source) : ValuePattern
{
    public override bool Match(string? text, OktaEvent ev)
    {
        if (text is null) return false;
        try { return regex.IsMatch(text); }
        catch (RegexMatchTimeoutException)
        {
            DetectionDiagnostics.RegexTimedOut();
            return false;
        }
    }
    public override string Describe() => $"/{source}/";
}

internal sealed class NumberPattern(string op, double value) : ValuePattern
{
    public override bool Match(string? text, OktaEvent ev)
    {
        if (text is null || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return false;
        return op switch { "gt" => d > value, "gte" => d >= value, "lt" => d < value, _ => d <= value };
    }
    public override string Describe() => $"{op} {value.ToString(CultureInfo.InvariantCulture)}";
}

internal sealed class CidrPattern : ValuePattern
{
    private readonly byte[] _net;
    private readonly int _prefix;
    private readonly string _source;

    private CidrPattern(byte[] net, int prefix, string source) { _net = net; _prefix = prefix; _source = source; }

    public static bool TryCreate(string cidr, out CidrPattern? p)
    {
        p = null;
        var s = cidr.Trim();
        var slash = s.IndexOf('/');
        string ipPart = slash < 0 ? s : s[..slash];
        if (!IPAddress.TryParse(ipPart, out var ip)) return false;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var bytes = ip.GetAddressBytes();
        int prefix = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix < 0 || prefix > bytes.Length * 8))
            return false;
        p = new CidrPattern(bytes, prefix, s);
        return true;
    }

    public override bool Match(string? text, OktaEvent ev) => text is not null && Contains(text);

    public bool Contains(string text)
    {
        if (!IPAddress.TryParse(text.Trim(), out var ip)) return false;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var b = ip.GetAddressBytes();
        if (b.Length != _net.Length) return false;
        int full = _prefix / 8, rem = _prefix % 8;
        for (int i = 0; i < full; i++) if (b[i] != _net[i]) return false;
        if (rem == 0) return true;
        int mask = 0xFF << (8 - rem) & 0xFF;
        return (b[full] & mask) == (_net[full] & mask);
    }

    public override string Describe() => $"cidr {_source}";
}

internal sealed class FieldRefPattern(string path) : ValuePattern
{
    private readonly string[] _segs = JsonPath.Split(path);
    public override bool Match(string? text, OktaEvent ev)
    {
        var other = JsonPath.FirstText(ev, _segs);
        return text is not null && other is not null && string.Equals(text, other, StringComparison.OrdinalIgnoreCase);
    }
    public override string Describe() => $"= field {path}";
}

/// <summary>All patterns of one selection key, combined with OR (or AND with |all).</summary>
internal sealed class KeyMatcher(string key, string path, ValuePattern[] patterns, bool all)
{
    public string Key { get; } = key;
    public string Path { get; } = path;
    public ValuePattern[] Patterns { get; } = patterns;
    public bool All { get; } = all;

    public bool Match(string? text, OktaEvent ev)
    {
        if (Patterns.Length == 0) return false;
        if (All)
        {
            foreach (var p in Patterns) if (!p.Match(text, ev)) return false;
            return true;
        }
        foreach (var p in Patterns) if (p.Match(text, ev)) return true;
        return false;
    }

    /// <summary>Array leaf: any element matches; with |all each pattern is matched by some element.</summary>
    public bool MatchArray(JNode arr, OktaEvent ev)
    {
        if (Patterns.Length == 0) return false;
        if (All)
        {
            foreach (var p in Patterns)
            {
                bool any = false;
                foreach (var el in arr.Items) if (p.Match(el.Text, ev)) { any = true; break; }
                if (!any) return false;
            }
            return true;
        }
        foreach (var el in arr.Items) if (Match(el.Text, ev)) return true;
        return false;
    }
}

/// <summary>Trie of selection keys by path segment. Keys sharing an array prefix bind to the same element.</summary>
internal sealed class SelNode
{
    public List<KeyMatcher> Leaves { get; } = [];
    public List<(string Seg, SelNode Node, bool IsIndex)> Children { get; } = [];

    public SelNode Child(string seg)
    {
        foreach (var c in Children)
            if (string.Equals(c.Seg, seg, StringComparison.OrdinalIgnoreCase)) return c.Node;
        var n = new SelNode();
        Children.Add((seg, n, seg.Length > 0 && seg.All(char.IsAsciiDigit)));
        return n;
    }

    public bool Eval(JNode? v, OktaEvent ev)
    {
        if (v is { Kind: JsonValueKind.Array } arr)
        {
            var items = arr.Items;
            if (items.Length == 0) return Eval(null, ev);
            foreach (var leaf in Leaves) if (!leaf.MatchArray(arr, ev)) return false;
            if (Children.Count == 0) return true;
            bool hasNamed = false;
            foreach (var c in Children)
            {
                if (c.IsIndex)
                {
                    var idx = int.Parse(c.Seg, CultureInfo.InvariantCulture);
                    JNode? el = idx < items.Length ? items[idx] : null;
                    if (!c.Node.Eval(el, ev)) return false;
                }
                else hasNamed = true;
            }
            if (!hasNamed) return true;
            foreach (var el in items)
                if (EvalNamedChildren(el, ev)) return true;
            return false;
        }
        if (Leaves.Count > 0)
        {
            var text = v?.Text;
            foreach (var leaf in Leaves) if (!leaf.Match(text, ev)) return false;
        }
        foreach (var c in Children)
        {
            JNode? cv = v is not null ? JsonPath.Step(v, c.Seg) : null;
            if (!c.Node.Eval(cv, ev)) return false;
        }
        return true;
    }

    private bool EvalNamedChildren(JNode el, OktaEvent ev)
    {
        foreach (var c in Children)
        {
            if (c.IsIndex) continue;
            if (!c.Node.Eval(JsonPath.Step(el, c.Seg), ev)) return false;
        }
        return true;
    }
}

internal sealed class Selection
{
    public required string Name { get; init; }
    /// <summary>Alternatives (list of maps) — any matches. A plain map is a single alternative.</summary>
    public SelNode[] Alternatives { get; init; } = [];
    public List<KeyMatcher>[] AlternativeKeys { get; init; } = [];
    /// <summary>Keyword search (substring of raw JSON, case-insensitive), used when the selection is a list of values.</summary>
    public string[]? Keywords { get; init; }
    /// <summary>eventType values this selection requires (exact, case-insensitive), or null when unconstrained.</summary>
    public HashSet<string>? EventTypes { get; init; }

    public bool Match(OktaEvent ev)
    {
        if (Keywords is { } kws)
        {
            var raw = ev.RawJson;
            foreach (var k in kws) if (raw.Contains(k, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }
        foreach (var alt in Alternatives) if (alt.Eval(ev.Tree, ev)) return true;
        return false;
    }

    public string Explain(OktaEvent ev)
    {
        if (Keywords is not null) return $"selection '{Name}' matched keyword";
        for (int i = 0; i < Alternatives.Length; i++)
        {
            if (!Alternatives[i].Eval(ev.Tree, ev)) continue;
            var sb = new StringBuilder($"selection '{Name}' matched ");
            bool first = true;
            foreach (var k in AlternativeKeys[i])
            {
                if (!first) sb.Append(", ");
                first = false;
                var val = ev.GetString(k.Path);
                sb.Append(k.Path).Append('=').Append(val ?? "null");
            }
            return sb.ToString();
        }
        return $"selection '{Name}'";
    }
}

// ---------------- conditions ----------------

internal abstract class Cond
{
    public abstract bool Eval(Selection[] sels, OktaEvent ev);
    /// <summary>Event types any match must have (null = unconstrained).</summary>
    public abstract HashSet<string>? RequiredEventTypes(Selection[] sels);
    public abstract void CollectTrue(Selection[] sels, OktaEvent ev, List<int> into);
}

internal sealed class SelCond(int index) : Cond
{
    public int Index { get; } = index;
    public override bool Eval(Selection[] sels, OktaEvent ev) => sels[Index].Match(ev);
    public override HashSet<string>? RequiredEventTypes(Selection[] sels) => sels[Index].EventTypes;
    public override void CollectTrue(Selection[] sels, OktaEvent ev, List<int> into) { if (sels[Index].Match(ev) && !into.Contains(Index)) into.Add(Index); }
}

internal sealed class NotCond(Cond inner) : Cond
{
    public override bool Eval(Selection[] sels, OktaEvent ev) => !inner.Eval(sels, ev);
    public override HashSet<string>? RequiredEventTypes(Selection[] sels) => null;
    public override void CollectTrue(Selection[] sels, OktaEvent ev, List<int> into) { }
}

internal sealed class AndCond(Cond[] parts) : Cond
{
    public override bool Eval(Selection[] sels, OktaEvent ev)
    {
        foreach (var p in parts) if (!p.Eval(sels, ev)) return false;
        return true;
    }
    public override HashSet<string>? RequiredEventTypes(Selection[] sels)
    {
        HashSet<string>? best = null;
        foreach (var p in parts)
        {
            var s = p.RequiredEventTypes(sels);
            if (s is null) continue;
            if (best is null) best = new HashSet<string>(s, StringComparer.OrdinalIgnoreCase);
            else best.IntersectWith(s);
        }
        return best;
    }
    public override void CollectTrue(Selection[] sels, OktaEvent ev, List<int> into) { foreach (var p in parts) p.CollectTrue(sels, ev, into); }
}

internal sealed class OrCond(Cond[] parts) : Cond
{
    public override bool Eval(Selection[] sels, OktaEvent ev)
    {
        foreach (var p in parts) if (p.Eval(sels, ev)) return true;
        return false;
    }
    public override HashSet<string>? RequiredEventTypes(Selection[] sels)
    {
        var union = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in parts)
        {
            var s = p.RequiredEventTypes(sels);
            if (s is null) return null;
            union.UnionWith(s);
        }
        return union;
    }
    public override void CollectTrue(Selection[] sels, OktaEvent ev, List<int> into) { foreach (var p in parts) p.CollectTrue(sels, ev, into); }
}

internal sealed class ConstCond(bool value) : Cond
{
    public override bool Eval(Selection[] sels, OktaEvent ev) => value;
    public override HashSet<string>? RequiredEventTypes(Selection[] sels) => value ? null : new HashSet<string>();
    public override void CollectTrue(Selection[] sels, OktaEvent ev, List<int> into) { }
}

internal sealed class ConditionParser
{
    private readonly List<string> _tokens;
    private int _pos;
    private readonly IReadOnlyList<string> _names;

    private ConditionParser(List<string> tokens, IReadOnlyList<string> names) { _tokens = tokens; _names = names; }

    /// <summary>Parses a Sigma condition; throws FormatException with a reason.</summary>
    public static Cond Parse(string text, IReadOnlyList<string> selectionNames)
    {
        var p = new ConditionParser(Tokenize(text), selectionNames);
        if (p._tokens.Count == 0) throw new FormatException("empty condition");
        var c = p.ParseOr();
        if (p._pos < p._tokens.Count) throw new FormatException($"unexpected '{p._tokens[p._pos]}' in condition");
        return c;
    }

    private static List<string> Tokenize(string s)
    {
        var list = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '(' || c == ')') { list.Add(c.ToString()); i++; continue; }
            if (c == '|') throw new FormatException("pipe aggregations in condition are not supported (use a correlation rule)");
            int start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] != '(' && s[i] != ')') i++;
            list.Add(s[start..i]);
        }
        return list;
    }

    private string? Peek => _pos < _tokens.Count ? _tokens[_pos] : null;
    private bool PeekIs(string kw) => Peek is { } t && string.Equals(t, kw, StringComparison.OrdinalIgnoreCase);

    private Cond ParseOr()
    {
        var parts = new List<Cond> { ParseAnd() };
        while (PeekIs("or")) { _pos++; parts.Add(ParseAnd()); }
        return parts.Count == 1 ? parts[0] : new OrCond([.. parts]);
    }

    private Cond ParseAnd()
    {
        var parts = new List<Cond> { ParseNot() };
        while (PeekIs("and")) { _pos++; parts.Add(ParseNot()); }
        return parts.Count == 1 ? parts[0] : new AndCond([.. parts]);
    }

    private Cond ParseNot()
    {
        if (PeekIs("not")) { _pos++; return new NotCond(ParseNot()); }
        return ParseAtom();
    }

    private Cond ParseAtom()
    {
        var t = Peek ?? throw new FormatException("condition ends unexpectedly");
        if (t == "(")
        {
            _pos++;
            var c = ParseOr();
            if (Peek != ")") throw new FormatException("missing ')' in condition");
            _pos++;
            return c;
        }
        if (t == ")") throw new FormatException("unexpected ')' in condition");
        if (string.Equals(t, "and", StringComparison.OrdinalIgnoreCase) || string.Equals(t, "or", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"unexpected '{t}' in condition");
        bool isAll = string.Equals(t, "all", StringComparison.OrdinalIgnoreCase);
        bool isOne = t == "1" || string.Equals(t, "any", StringComparison.OrdinalIgnoreCase);
        if ((isAll || isOne) && _pos + 1 < _tokens.Count && string.Equals(_tokens[_pos + 1], "of", StringComparison.OrdinalIgnoreCase))
        {
            _pos += 2;
            var pattern = Peek ?? throw new FormatException($"'{t} of' needs a selection pattern");
            _pos++;
            var idx = new List<int>();
            for (int i = 0; i < _names.Count; i++)
            {
                bool hit = string.Equals(pattern, "them", StringComparison.OrdinalIgnoreCase)
                    ? !_names[i].StartsWith('_')
                    : Wildcard.IsMatch(_names[i], pattern);
                if (hit) idx.Add(i);
            }
            if (idx.Count == 0) throw new FormatException($"'{t} of {pattern}' matches no selection");
            var parts = idx.Select(i => (Cond)new SelCond(i)).ToArray();
            if (parts.Length == 1) return parts[0];
            return isAll ? new AndCond(parts) : new OrCond(parts);
        }
        _pos++;
        for (int i = 0; i < _names.Count; i++)
            if (_names[i] == t) return new SelCond(i);
        throw new FormatException($"condition refers to unknown selection '{t}'");
    }
}

internal static class Wildcard
{
    public static bool IsMatch(string name, string pattern)
    {
        if (!pattern.Contains('*')) return name == pattern;
        var rx = "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$";
        return Regex.IsMatch(name, rx);
    }

    public static bool HasWildcards(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\') { i++; continue; }
            if (s[i] == '*' || s[i] == '?') return true;
        }
        return false;
    }

    public static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) { sb.Append(s[i + 1]); i++; }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>Sigma wildcard string to a regex body (no anchors).</summary>
    public static string ToRegex(string s)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) { sb.Append(Regex.Escape(s[i + 1].ToString())); i++; }
            else if (c == '*') sb.Append(".*");
            else if (c == '?') sb.Append('.');
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.ToString();
    }
}
