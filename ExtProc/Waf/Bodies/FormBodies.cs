using System.Globalization;
using System.Text;
using System.Text.Json;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.Bodies;

/// <summary>The urlencoded (query string and form) and JSON body processors.</summary>
internal static class FormBodies
{
    /// <summary>Splits on <c>&amp;</c>, then at the first <c>=</c>; names and values are URL-decoded (+ is a space).</summary>
    public static void ParseUrlEncoded(string text, WafTransaction transaction, Variable values, Variable names)
    {
        if (text.Length == 0)
        {
            return;
        }

        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decoders.UrlDecode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decoders.UrlDecode(pair[(equals + 1)..]);
            transaction.AddArgument(values, names, name, value);
        }
    }

    /// <summary>Flattens JSON into ARGS_POST: <c>json.a.b</c> for objects, <c>json.a.0</c> for array items.</summary>
    public static void ParseJson(ReadOnlySpan<byte> body, WafTransaction transaction)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256, CommentHandling = JsonCommentHandling.Skip });
        var path = new List<string> { "json" };
        var arrayIndex = new Stack<int>();
        try
        {
            string? pendingName = null;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = Latin1(reader.GetString() ?? string.Empty);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (reader.CurrentDepth > 0)
                        {
                            path.Add(NextName(ref pendingName, arrayIndex));
                        }

                        arrayIndex.Push(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        arrayIndex.Pop();
                        if (path.Count > 1 && reader.CurrentDepth > 0)
                        {
                            path.RemoveAt(path.Count - 1);
                        }

                        break;
                    default:
                        var name = NextName(ref pendingName, arrayIndex);
                        var key = string.Join('.', path) + (name.Length == 0 ? string.Empty : "." + name);
                        transaction.AddArgument(Variable.ArgsPost, Variable.ArgsPostNames, key, ScalarText(ref reader));
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            transaction.BodyError("JSON parsing error: " + ex.Message);
        }
    }

    private static string NextName(ref string? pendingName, Stack<int> arrayIndex)
    {
        if (pendingName is not null)
        {
            var name = pendingName;
            pendingName = null;
            return name;
        }

        if (arrayIndex.Count > 0 && arrayIndex.Peek() >= 0)
        {
            var index = arrayIndex.Pop();
            arrayIndex.Push(index + 1);
            return index.ToString(CultureInfo.InvariantCulture);
        }

        return string.Empty;
    }

    private static string ScalarText(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => Latin1(reader.GetString() ?? string.Empty),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => string.Empty,
        _ => Encoding.Latin1.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
    };

    /// <summary>Decoded text back to its UTF-8 bytes, one char per byte.</summary>
    public static string Latin1(string text)
    {
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                return Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
            }
        }

        return text;
    }
}
