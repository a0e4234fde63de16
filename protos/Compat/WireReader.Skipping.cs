namespace EnvoyGovern.Protos.Compat;

/// <summary>The strict reader's skipping of fields nobody reads, with Google.Protobuf's checks.</summary>
internal ref partial struct WireReader
{
    /// <summary>
    /// Reads an embedded message of scalar, string and bytes fields only, keeping nothing: the framing is checked, and
    /// the strings, whose field numbers are the bits set in <paramref name="stringFields"/> (bit n for field n).
    /// </summary>
    public void SkipScalarMessage(uint stringFields)
    {
        var outer = EnterMessage();
        uint tag;
        while ((tag = ReadTag()) != 0)
        {
            if ((tag & 7) == LengthDelimited && tag >> 3 < 32 && (stringFields & (1u << (int)(tag >> 3))) != 0)
            {
                _ = ReadString();
            }
            else
            {
                SkipField(tag);
            }
        }

        LeaveMessage(outer);
    }

    /// <summary>
    /// Skips the field whose tag was just read, as Google.Protobuf keeps an unknown field of a message; or, with
    /// <paramref name="inMapEntry"/>, as it skips one in a map entry, where wire types 6 and 7 are passed over as
    /// fields without content and a group counts one level deeper.
    /// </summary>
    public void SkipField(uint tag, bool inMapEntry = false)
    {
        switch ((int)(tag & 7))
        {
            case Varint:
                _ = ReadVarint64();
                break;
            case Fixed64:
                Skip(8);
                break;
            case LengthDelimited:
                _ = ReadRange();
                break;
            case StartGroup:
                SkipGroup(tag, inMapEntry);
                break;
            case EndGroup:
                throw Malformed("an end-group tag without its start");
            case Fixed32:
                Skip(4);
                break;
            default:
                if (!inMapEntry)
                {
                    throw Malformed($"wire type {tag & 7}");
                }

                break;
        }
    }

    private void SkipGroup(uint startTag, bool inMapEntry)
    {
        if (_depth + (inMapEntry ? 1 : 0) >= RecursionLimit)
        {
            throw Malformed("groups nested more than 100 deep");
        }

        _depth++;
        uint tag;
        while (true)
        {
            tag = ReadTag();
            if (tag == 0)
            {
                throw Malformed("a group without its end-group tag");
            }

            if ((tag & 7) == EndGroup)
            {
                break;
            }

            SkipField(tag, inMapEntry);
        }

        if (tag >> 3 != startTag >> 3)
        {
            throw Malformed($"group {startTag >> 3} ended by the end-group tag of field {tag >> 3}");
        }

        _depth--;
    }

    private void Skip(int count)
    {
        if (!TryTake((ulong)count, out _))
        {
            throw Malformed("a field longer than its message");
        }
    }
}
