namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// Reads <c>AttributeContext.HttpRequest</c> for <see cref="CheckRequestReader"/>: strings and bodies located, the
/// headers of <c>headers</c> and <c>header_map</c> listed as positions, none decoded.
/// </summary>
internal static class HttpRequestReader
{
    private const int LengthDelimited = WireReader.LengthDelimited;

    public static void Read(ref WireReader reader, HttpRequestView http, HeaderLists lists)
    {
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case (1 << 3) | LengthDelimited:
                    http.IdField = reader.ReadString();
                    break;
                case (2 << 3) | LengthDelimited:
                    http.MethodField = reader.ReadString();
                    break;
                case (3 << 3) | LengthDelimited:
                    var (key, value) = CheckRequestReader.ReadMapEntry(ref reader);
                    lists.Headers.Add(new HeaderEntry(key, value));
                    break;
                case (4 << 3) | LengthDelimited:
                    http.PathField = reader.ReadString();
                    break;
                case (5 << 3) | LengthDelimited:
                    http.HostField = reader.ReadString();
                    break;
                case (6 << 3) | LengthDelimited:
                    http.SchemeField = reader.ReadString();
                    break;
                case (7 << 3) | LengthDelimited:
                    http.QueryField = reader.ReadString();
                    break;
                case (8 << 3) | LengthDelimited:
                    http.FragmentField = reader.ReadString();
                    break;
                case (9 << 3) | WireReader.Varint:
                    http.Size = (long)reader.ReadVarint64();
                    break;
                case (10 << 3) | LengthDelimited:
                    http.ProtocolField = reader.ReadString();
                    break;
                case (11 << 3) | LengthDelimited:
                    http.BodyField = reader.ReadString();
                    break;
                case (12 << 3) | LengthDelimited:
                    http.RawBodyField = reader.ReadRange();
                    break;
                case (13 << 3) | LengthDelimited:
                    ReadHeaderMap(ref reader, lists);
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        reader.LeaveMessage(outer);
    }

    private static void ReadHeaderMap(ref WireReader reader, HeaderLists lists)
    {
        lists.HasHeaderMap = true;
        var outer = reader.EnterMessage();
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            if (tag == ((1 << 3) | LengthDelimited))
            {
                lists.HeaderMap.Add(ReadHeaderValue(ref reader));
            }
            else
            {
                reader.SkipField(tag);
            }
        }

        reader.LeaveMessage(outer);
    }

    // config.core.v3.HeaderValue: the text is raw_value when set (encode_raw_headers), else value.
    private static HeaderEntry ReadHeaderValue(ref WireReader reader)
    {
        var outer = reader.EnterMessage();
        WireRange key = default, value = default, raw = default;
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            switch (tag)
            {
                case (1 << 3) | LengthDelimited:
                    key = reader.ReadString();
                    break;
                case (2 << 3) | LengthDelimited:
                    value = reader.ReadString();
                    break;
                case (3 << 3) | LengthDelimited:
                    raw = reader.ReadRange();
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        reader.LeaveMessage(outer);
        return new HeaderEntry(key, raw.IsEmpty ? value : raw);
    }
}

/// <summary>One thread's lists of header positions while a request is read; copied out at its end.</summary>
internal sealed class HeaderLists
{
    public EntryList Headers { get; } = new();

    public EntryList HeaderMap { get; } = new();

    public bool HasHeaderMap { get; set; }

    public void Clear()
    {
        Headers.Clear();
        HeaderMap.Clear();
        HasHeaderMap = false;
    }

    internal sealed class EntryList
    {
        // Envoy sends tens of headers; a request with thousands must not leave its list behind on the thread.
        private const int Kept = 64;
        private const int MostKept = 1024;

        private HeaderEntry[] _items = new HeaderEntry[Kept];
        private int _count;

        public void Add(HeaderEntry entry)
        {
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _count * 2);
            }

            _items[_count++] = entry;
        }

        public void Clear()
        {
            _count = 0;
            if (_items.Length > MostKept)
            {
                _items = new HeaderEntry[Kept];
            }
        }

        public HeaderEntry[] ToArray() => _count == 0 ? [] : _items.AsSpan(0, _count).ToArray();
    }
}
