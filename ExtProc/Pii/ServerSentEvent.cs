using System.Buffers;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>A piece of a streamed text inside an event: its range in the stream and its JSON token in the data.</summary>
internal readonly record struct StreamedPiece(StreamedText Stream, long Start, long End, (int Start, int Length) Token);

/// <summary>A redacted value of the data: a JSON token's new text, or (not JSON) the whole data's.</summary>
internal sealed record DataReplacement(int Start, int Length, byte[] Text, bool IsJsonToken);

/// <summary>One server-sent event as received, what it carries, and how to write it back redacted.</summary>
internal sealed class ServerSentEvent
{
    private ServerSentEvent(byte[] raw, byte[]? data, bool singleDataLine)
    {
        Raw = raw;
        Data = data;
        SingleDataLine = singleDataLine;
    }

    /// <summary>The event's bytes, its ending blank line included.</summary>
    public byte[] Raw { get; }

    /// <summary>The data field (data lines joined with LF); null without one.</summary>
    public byte[]? Data { get; }

    public bool SingleDataLine { get; }

    public List<StreamedPiece> Pieces { get; } = [];

    public List<DataReplacement> Replacements { get; } = [];

    public static ServerSentEvent Parse(ReadOnlySpan<byte> raw)
    {
        var data = new ArrayBufferWriter<byte>();
        var lines = 0;
        foreach (var line in Lines(raw))
        {
            if (DataValue(line) is not { } value)
            {
                continue;
            }

            if (lines++ > 0)
            {
                data.Write("\n"u8);
            }

            data.Write(value);
        }

        return new ServerSentEvent(raw.ToArray(), lines == 0 ? null : data.WrittenSpan.ToArray(), lines == 1);
    }

    /// <summary>Writes the event, redacted when something in it was; false when it went out as received.</summary>
    public bool Write(ArrayBufferWriter<byte> output, PiiSettings settings)
    {
        var edits = new List<DataReplacement>(Replacements);
        var scratch = new ArrayBufferWriter<byte>();
        foreach (var piece in Pieces)
        {
            scratch.ResetWrittenCount();
            if (piece.Stream.Render(piece.Start, piece.End, settings, scratch))
            {
                edits.Add(new DataReplacement(piece.Token.Start, piece.Token.Length, scratch.WrittenSpan.ToArray(), IsJsonToken: true));
            }
        }

        if (edits.Count == 0 || Data is null)
        {
            output.Write(Raw);
            return false;
        }

        var data = NewData(edits);
        var dataWritten = false;
        foreach (var line in Lines(Raw))
        {
            if (DataValue(line) is null)
            {
                if (line.Length > 0)
                {
                    output.Write(line);
                    output.Write("\n"u8);
                }

                continue;
            }

            if (!dataWritten)
            {
                dataWritten = true;
                foreach (var range in data.AsSpan().Split((byte)'\n'))
                {
                    output.Write("data: "u8);
                    output.Write(data.AsSpan()[range]);
                    output.Write("\n"u8);
                }
            }
        }

        output.Write("\n"u8);
        return true;
    }

    private byte[] NewData(List<DataReplacement> edits)
    {
        if (edits.Find(e => !e.IsJsonToken) is { } whole)
        {
            return whole.Text;
        }

        edits.Sort((a, b) => a.Start.CompareTo(b.Start));
        var data = new ArrayBufferWriter<byte>(Data!.Length + 32);
        var copied = 0;
        foreach (var edit in edits)
        {
            data.Write(Data.AsSpan(copied, edit.Start - copied));
            JsonPiiRedactor.WriteString(data, edit.Text);
            copied = edit.Start + edit.Length;
        }

        data.Write(Data.AsSpan(copied));
        return data.WrittenSpan.ToArray();
    }

    // The event's lines without their terminators (CR LF or LF); the ending blank line yields nothing.
    private static List<byte[]> Lines(ReadOnlySpan<byte> raw)
    {
        var lines = new List<byte[]>();
        foreach (var range in raw.Split((byte)'\n'))
        {
            var line = raw[range];
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (!line.IsEmpty)
            {
                lines.Add(line.ToArray());
            }
        }

        return lines;
    }

    // "data:value" or "data: value" (one leading space dropped); "data" alone is an empty value.
    private static byte[]? DataValue(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("data"u8) || (line.Length > 4 && line[4] != ':'))
        {
            return null;
        }

        var value = line.Length > 5 ? line[5..] : [];
        return (!value.IsEmpty && value[0] == ' ' ? value[1..] : value).ToArray();
    }
}
