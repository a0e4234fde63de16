using System.Buffers;
using System.Text.Json;

namespace EnvoyGovern.ExtProc.GenAi;

/// <summary>What an answer says about itself: token usage, model and id (each may be missing).</summary>
internal sealed record Usage(long? InputTokens, long? OutputTokens, string? Model, string? Id)
{
    public bool HasTokens => InputTokens is not null || OutputTokens is not null;

    /// <summary>Reads a JSON answer (chat completion, completion, responses, embeddings); null when it is not a JSON object.</summary>
    public static Usage? FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 128 });
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject ? ReadObject(ref reader, nested: true) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Top-level usage/model/id; one level into "response" for the responses API's response.completed event.
    private static Usage ReadObject(ref Utf8JsonReader reader, bool nested)
    {
        long? input = null, output = null;
        string? model = null, id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "usage" when reader.TokenType == JsonTokenType.StartObject:
                    (input, output) = ReadTokens(ref reader);
                    break;
                case "model" when reader.TokenType == JsonTokenType.String:
                    model = reader.GetString();
                    break;
                case "id" when reader.TokenType == JsonTokenType.String:
                    id = reader.GetString();
                    break;
                case "response" when nested && reader.TokenType == JsonTokenType.StartObject:
                    var inner = ReadObject(ref reader, nested: false);
                    (input, output, model, id) = (input ?? inner.InputTokens, output ?? inner.OutputTokens, model ?? inner.Model, id ?? inner.Id);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new Usage(input, output, model, id);
    }

    // prompt_tokens/completion_tokens (chat, completions) or input_tokens/output_tokens (responses).
    private static (long? Input, long? Output) ReadTokens(ref Utf8JsonReader reader)
    {
        long? input = null, output = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
            {
                if (name is "prompt_tokens" or "input_tokens")
                {
                    input = value;
                }
                else if (name is "completion_tokens" or "output_tokens")
                {
                    output = value;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return (input, output);
    }
}

/// <summary>
/// Usage in a streamed answer: the last events carry it (OpenAI's final chunk with <c>stream_options.include_usage</c>,
/// the responses API's <c>response.completed</c>). Only events that mention <c>"usage"</c> are parsed (and
/// the first, for the model and id), so the other chunks cost a search.
/// </summary>
internal sealed class StreamedUsage
{
    private const int MaxEvent = 256 * 1024;

    private readonly ArrayBufferWriter<byte> _partial = new();
    private bool _first = true;

    public Usage? Current { get; private set; }

    /// <summary>Takes the next chunk; true when it brought usage not seen before.</summary>
    public bool Push(ReadOnlySpan<byte> chunk, bool end)
    {
        ReadOnlySpan<byte> input = chunk;
        if (_partial.WrittenCount > 0)
        {
            _partial.Write(chunk);
            input = _partial.WrittenSpan;
        }

        var found = false;
        while (true)
        {
            var boundary = input.IndexOf("\n\n"u8);
            var crlf = input.IndexOf("\r\n\r\n"u8);
            if (boundary < 0 && crlf < 0)
            {
                break;
            }

            var (at, length) = crlf >= 0 && (boundary < 0 || crlf < boundary) ? (crlf, 4) : (boundary, 2);
            found |= Event(input[..at]);
            input = input[(at + length)..];
        }

        if (end && !input.IsEmpty)
        {
            found |= Event(input);
            input = [];
        }

        // An event too long to be one is not kept (its usage would be lost, not its bytes: they pass).
        var rest = input.Length > MaxEvent ? [] : input.ToArray();
        _partial.ResetWrittenCount();
        _partial.Write(rest);
        return found;
    }

    private bool Event(ReadOnlySpan<byte> sse)
    {
        var first = _first;
        _first = false;
        if (!first && sse.IndexOf("\"usage\""u8) < 0)
        {
            return false;
        }

        var data = sse.IndexOf("data:"u8);
        if (data < 0)
        {
            return false;
        }

        var line = sse[(data + 5)..];
        var newline = line.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            line = line[..newline];
        }

        if (Usage.FromJson(line.Trim((byte)' ').TrimEnd((byte)'\r')) is not { } usage)
        {
            return false;
        }

        var before = Current;
        Current = new Usage(usage.InputTokens ?? before?.InputTokens, usage.OutputTokens ?? before?.OutputTokens, before?.Model ?? usage.Model, before?.Id ?? usage.Id);
        return usage.HasTokens;
    }
}
