using System.Text.Json;
using EnvoyGovern.ExtProc.Inspection;

namespace EnvoyGovern.ExtProc.GenAi;

/// <summary>Text a caller supplied (a user or tool message, a prompt, an input), with its JSON Pointer.</summary>
internal sealed record SuppliedText(string Location, string Text);

/// <summary>
/// What governance needs from an OpenAI-compatible request body (chat completions, completions,
/// responses, embeddings), read in one pass of <see cref="Utf8JsonReader"/> over the body the chain
/// buffered once: the model, the token cap (and where it is written, to rewrite it), the stream flag,
/// the tools, and the text the caller supplied. Parsed once per exchange and shared by the inspectors.
/// </summary>
internal sealed class ChatRequest
{
    private static readonly object NotARequest = new();

    /// <summary>The <c>model</c> member.</summary>
    public string? Model { get; private set; }

    /// <summary>The token cap (<c>max_tokens</c>, <c>max_completion_tokens</c> or <c>max_output_tokens</c>).</summary>
    public long? MaxTokens { get; private set; }

    /// <summary>Which member holds the cap.</summary>
    public string? MaxTokensField { get; private set; }

    /// <summary>Where the cap's number is in the body (offset, length), for a rewrite.</summary>
    public (int Start, int Length)? MaxTokensToken { get; private set; }

    /// <summary>The <c>stream</c> flag.</summary>
    public bool Stream { get; private set; }

    /// <summary>Names of the tools offered (<c>tools[].function.name</c>, or <c>tools[].name</c>).</summary>
    public List<string> Tools { get; } = [];

    /// <summary>Caller-supplied text: user and tool messages (string content or text parts), <c>prompt</c>, <c>input</c>.</summary>
    public List<SuppliedText> Supplied { get; } = [];

    /// <summary>The request of this exchange, parsed on first use; null when the body is not a JSON object.</summary>
    public static ChatRequest? Of(InspectionContext context, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Slot(ExchangeSlot.ChatRequest) is { } cached)
        {
            return cached as ChatRequest;
        }

        ChatRequest? request;
        try
        {
            request = Parse(body);
        }
        catch (JsonException)
        {
            // The gate refuses malformed JSON before; a body that is JSON but not an object has no request.
            request = null;
        }

        context.SetSlot(ExchangeSlot.ChatRequest, (object?)request ?? NotARequest);
        return request;
    }

    /// <summary>Parses a request body; null when it is not a JSON object. Throws <see cref="JsonException"/> on malformed JSON.</summary>
    public static ChatRequest? Parse(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 128 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var request = new ChatRequest();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "model" when reader.TokenType == JsonTokenType.String:
                    request.Model = reader.GetString();
                    break;
                case "max_tokens" or "max_completion_tokens" or "max_output_tokens" when reader.TokenType == JsonTokenType.Number:
                    request.MaxTokens = reader.TryGetInt64(out var cap) ? cap : long.MaxValue;
                    request.MaxTokensField = name;
                    request.MaxTokensToken = ((int)reader.TokenStartIndex, reader.ValueSpan.Length);
                    break;
                case "stream":
                    request.Stream = reader.TokenType == JsonTokenType.True;
                    break;
                case "tools" when reader.TokenType == JsonTokenType.StartArray:
                    request.ReadTools(ref reader);
                    break;
                case "messages" when reader.TokenType == JsonTokenType.StartArray:
                    request.ReadMessages(ref reader, "/messages");
                    break;
                case "prompt" or "input":
                    request.ReadInput(ref reader, $"/{name}");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return request;
    }

    private void ReadTools(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
            {
                // tools[].name (responses API) or tools[].function.name (chat completions).
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("name"u8) && reader.CurrentDepth <= depth + 2)
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        Tools.Add(reader.GetString()!);
                    }
                }
            }
        }
    }

    // messages[]: the content of user and tool messages, as a string or as text parts.
    private void ReadMessages(ref Utf8JsonReader reader, string at)
    {
        var index = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            index++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? role = null;
            var texts = new List<SuppliedText>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "role" && reader.TokenType == JsonTokenType.String)
                {
                    role = reader.GetString();
                }
                else if (name == "content")
                {
                    ReadContent(ref reader, $"{at}/{index}/content", texts);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (role is "user" or "tool" or "function" or null)
            {
                Supplied.AddRange(texts);
            }
        }
    }

    // A string, or an array of parts whose "text" members are strings (other parts: images, audio).
    private static void ReadContent(ref Utf8JsonReader reader, string at, List<SuppliedText> texts)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            texts.Add(new SuppliedText(at, reader.GetString()!));
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        var index = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            index++;
            if (reader.TokenType == JsonTokenType.String)
            {
                texts.Add(new SuppliedText($"{at}/{index}", reader.GetString()!));
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var text = reader.ValueTextEquals("text"u8);
                reader.Read();
                if (text && reader.TokenType == JsonTokenType.String)
                {
                    texts.Add(new SuppliedText($"{at}/{index}/text", reader.GetString()!));
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    // prompt / input: a string, an array of strings, or (responses API) an array of messages.
    private void ReadInput(ref Utf8JsonReader reader, string at)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                Supplied.Add(new SuppliedText(at, reader.GetString()!));
            }
            else
            {
                reader.Skip();
            }

            return;
        }

        var probe = reader;
        probe.Read();
        if (probe.TokenType == JsonTokenType.StartObject)
        {
            ReadMessages(ref reader, at);
            return;
        }

        var texts = new List<SuppliedText>();
        ReadContent(ref reader, at, texts);
        Supplied.AddRange(texts);
    }
}
