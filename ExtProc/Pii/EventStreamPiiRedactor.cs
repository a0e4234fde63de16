using System.Buffers;
using System.Text.Json;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>
/// Personal data in a server-sent-events answer, chunk by chunk. Events are parsed from the chunks (an
/// event split across chunks waits for its end); the text an answer streams in pieces (<c>content</c>,
/// <c>text</c>, <c>arguments</c> ... of each choice) is scanned joined, so an entity split across events is
/// found, and each event goes out, in order, once nothing in it can change. A redacted event is written
/// again with the same framing and valid JSON: the mask goes where the entity begins, its rest in later
/// events is removed. Most chunks hold complete events with nothing to redact and pass unchanged.
/// </summary>
internal sealed class EventStreamPiiRedactor(PiiFindings findings, long limit)
{
    private static readonly HashSet<string> StreamedFields = new(StringComparer.Ordinal)
    {
        "content", "text", "arguments", "refusal", "reasoning_content", "delta", "partial_json", "thinking",
    };

    private readonly ArrayBufferWriter<byte> _partial = new();
    private readonly Queue<ServerSentEvent> _held = new();
    private readonly Dictionary<string, StreamedText> _streams = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private readonly List<PiiMatch> _matches = [];
    private bool _final;

    /// <summary>
    /// Takes the next decoded chunk; returns what to forward now, or null when that is exactly the chunk.
    /// Throws <see cref="Inspection.Bodies.BodyLimitExceededException"/> when an event grows past the limit.
    /// </summary>
    public ReadOnlyMemory<byte>? Push(ReadOnlyMemory<byte> chunk, bool end)
    {
        var heldBefore = _partial.WrittenCount > 0 || _held.Count > 0;
        _output.ResetWrittenCount();
        var changed = Parse(chunk.Span, end);
        _final |= end;
        foreach (var stream in _streams.Values)
        {
            stream.Scan(findings, _final);
        }

        changed |= Release();
        if (!heldBefore && !changed && _partial.WrittenCount == 0 && _held.Count == 0)
        {
            return null;
        }

        return _output.WrittenMemory;
    }

    // Splits complete events off the input (a blank line ends one; LF or CRLF); returns true when an
    // event's standalone values were redacted.
    private bool Parse(ReadOnlySpan<byte> chunk, bool end)
    {
        ReadOnlySpan<byte> input;
        if (_partial.WrittenCount > 0)
        {
            _partial.Write(chunk);
            input = _partial.WrittenSpan;
        }
        else
        {
            input = chunk;
        }

        var changed = false;
        var eventStart = 0;
        var lineStart = 0;
        while (true)
        {
            var newline = input[lineStart..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var lineEnd = lineStart + newline;
            var blank = lineEnd == lineStart || (lineEnd == lineStart + 1 && input[lineStart] == '\r');
            lineStart = lineEnd + 1;
            if (blank)
            {
                changed |= Add(input[eventStart..lineStart]);
                eventStart = lineStart;
            }
        }

        if (end && eventStart < input.Length)
        {
            // The stream ended without a blank line: what is left is its last event.
            changed |= Add(input[eventStart..]);
            eventStart = input.Length;
        }

        var rest = input[eventStart..].ToArray();
        if (rest.Length > limit)
        {
            throw new Inspection.Bodies.BodyLimitExceededException(limit);
        }

        _partial.ResetWrittenCount();
        _partial.Write(rest);
        return changed;
    }

    private bool Add(ReadOnlySpan<byte> raw)
    {
        var sse = ServerSentEvent.Parse(raw);
        var changed = false;
        if (sse.Data is { } data)
        {
            if (data.SequenceEqual("[DONE]"u8))
            {
                _final = true;
            }
            else if (!sse.SingleDataLine || !TryJson(sse, data, ref changed))
            {
                changed |= Standalone(sse, data, "sse:data", (0, data.Length), isJson: false);
            }
        }

        _held.Enqueue(sse);
        return changed;
    }

    // Streamed fields join their stream; other strings are scanned alone, now.
    private bool TryJson(ServerSentEvent sse, byte[] data, ref bool changed)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = JsonPiiRedactor.MaxDepth + 1 });
        var path = new JsonPath(JsonPiiRedactor.MaxDepth);
        string? property = null;
        try
        {
            while (reader.Read())
            {
                path.Observe(ref reader);
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.GetString();
                    continue;
                }

                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
                {
                    property = null;
                    continue;
                }

                var token = ((int)reader.TokenStartIndex, reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length);
                var text = Unescaped(ref reader);
                if (reader.TokenType == JsonTokenType.String && property is not null && StreamedFields.Contains(property))
                {
                    var pointer = path.Pointer(data);
                    if (!_streams.TryGetValue(pointer, out var stream))
                    {
                        _streams[pointer] = stream = new StreamedText($"sse:{pointer}");
                    }

                    var start = stream.Append(text);
                    sse.Pieces.Add(new StreamedPiece(stream, start, stream.End, token));
                }
                else
                {
                    changed |= Standalone(sse, text, $"sse:{path.Pointer(data)}", token, isJson: true);
                }

                property = null;
            }

            return true;
        }
        catch (JsonException)
        {
            // Not JSON after all: the data is scanned as text; pieces taken so far stay with their stream.
            sse.Pieces.Clear();
            return false;
        }
    }

    private ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? JsonUnescape.Unescape(reader.ValueSpan, _scratch) : reader.ValueSpan;

    private bool Standalone(ServerSentEvent sse, ReadOnlySpan<byte> text, string location, (int Start, int Length) token, bool isJson)
    {
        _matches.Clear();
        findings.Settings.Scanner.Scan(text, _matches, final: true);
        if (_matches.Count == 0)
        {
            return false;
        }

        var redacted = new ArrayBufferWriter<byte>();
        if (!findings.Apply(text, _matches, location, redacted))
        {
            return false;
        }

        sse.Replacements.Add(new DataReplacement(token.Start, token.Length, redacted.WrittenSpan.ToArray(), IsJsonToken: isJson));
        return true;
    }

    // Events go out in order while all their pieces are decided.
    private bool Release()
    {
        var changed = false;
        while (_held.TryPeek(out var sse) && (_final || sse.Pieces.TrueForAll(p => p.End <= p.Stream.Decided)))
        {
            _held.Dequeue();
            changed |= sse.Write(_output, findings.Settings);
            foreach (var piece in sse.Pieces)
            {
                piece.Stream.Release(piece.End);
            }
        }

        return changed;
    }
}
