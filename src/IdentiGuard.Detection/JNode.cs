using System.Text.Json;

namespace IdentiGuard.Detection;

/// <summary>Lazily materialised view of a JSON value: case-insensitive property lookups, cached texts and embedded
/// parses. Nodes come from their event's <see cref="NodeArena"/> and are recycled when the event is disposed.</summary>
internal sealed class JNode(NodeArena arena)
{
    private Child[] _props = [];
    private int _propCount;
    private JNode[]? _items;
    private bool _itemsDone;
    private string? _text;
    private bool _textDone;
    private JNode? _embedded;
    private bool _embeddedDone;

    public JsonElement El { get; private set; }
    public JsonValueKind Kind { get; private set; }

    private struct Child
    {
        public string Name;
        public JNode? Node;
    }

    /// <summary>Points a fresh or recycled node at <paramref name="el"/>. Lookup tables keep their capacity.</summary>
    internal void Reset(JsonElement el)
    {
        El = el;
        Kind = el.ValueKind;
        _propCount = 0;
        _itemsDone = false;
        _text = null;
        _textDone = false;
        _embedded = null;
        _embeddedDone = false;
    }

    /// <summary>Property by name: exact match first, then case-insensitive (rules may write <c>eventtype</c>).
    /// Results, absent ones included, are cached per requested name; rule paths are shared strings, so the
    /// reference comparison usually decides.</summary>
    public JNode? Get(string name)
    {
        if (Kind != JsonValueKind.Object) return null;
        var props = _props;
        for (int i = 0; i < _propCount; i++)
            if (ReferenceEquals(props[i].Name, name) || string.Equals(props[i].Name, name, StringComparison.Ordinal)) return props[i].Node;
        JNode? found = JsonPath.GetProperty(El, name) is { } v ? arena.Node(v) : null;
        if (_propCount == props.Length) Array.Resize(ref _props, Math.Max(4, props.Length * 2));
        _props[_propCount++] = new Child { Name = name, Node = found };
        return found;
    }

    public JNode[] Items
    {
        get
        {
            if (_itemsDone) return _items!;
            _itemsDone = true;
            int length = Kind == JsonValueKind.Array ? El.GetArrayLength() : 0;
            if (_items?.Length != length) _items = length == 0 ? [] : new JNode[length];
            int i = 0;
            if (length > 0) foreach (var x in El.EnumerateArray()) _items[i++] = arena.Node(x);
            return _items;
        }
    }

    public string? Text
    {
        get
        {
            if (_textDone) return _text;
            _text = JsonPath.Text(El);
            _textDone = true;
            return _text;
        }
    }

    /// <summary>For strings: the parsed embedded {k=v}/JSON structure, or null.</summary>
    public JNode? Embedded
    {
        get
        {
            if (_embeddedDone) return _embedded;
            _embeddedDone = true;
            if (Kind == JsonValueKind.String && Text is { Length: > 1 } s && EmbeddedFormats.TryParse(s) is { } parsed)
                _embedded = arena.Node(parsed);
            return _embedded;
        }
    }
}

/// <summary>The nodes of one event. Rules read the same few dozen fields of every event, so when an event is disposed
/// its nodes (with their lookup tables) go back to a per-thread spare arena and the next event reuses them instead of
/// allocating: a tenant's event stream runs on a handful of nodes. Events that are never disposed simply leave their
/// nodes to the garbage collector.</summary>
internal sealed class NodeArena
{
    [ThreadStatic] private static NodeArena? t_spare;

    private readonly List<JNode> _live = [];
    private readonly Stack<JNode> _free = new();

    public static NodeArena Rent()
    {
        var arena = t_spare ?? new NodeArena();
        t_spare = null;
        return arena;
    }

    public JNode Node(JsonElement el)
    {
        var node = _free.TryPop(out var recycled) ? recycled : new JNode(this);
        node.Reset(el);
        _live.Add(node);
        return node;
    }

    /// <summary>Recycles every node handed out since the last return. The caller must not use them afterwards.</summary>
    public void Return()
    {
        foreach (var node in _live) _free.Push(node);
        _live.Clear();
        t_spare = this;
    }
}
