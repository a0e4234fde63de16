using System.Text;
using System.Text.Json;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>
/// Where the reader stands in a JSON document, kept as it reads (member name offsets and array indices
/// per level, no allocation), turned into a JSON Pointer only for a value that is reported.
/// </summary>
internal sealed class JsonPath(int maxDepth)
{
    private readonly Level[] _levels = new Level[maxDepth + 1];
    private int _depth;

    /// <summary>Follows one token; throws <see cref="JsonTooDeepException"/> past <c>maxDepth</c> levels.</summary>
    public void Observe(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName:
                _levels[_depth].NameStart = (int)reader.TokenStartIndex + 1;
                _levels[_depth].NameLength = reader.ValueSpan.Length;
                return;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                _depth--;
                return;
            case JsonTokenType.Comment or JsonTokenType.None:
                return;
        }

        if (_depth > 0 && _levels[_depth].IsArray)
        {
            _levels[_depth].Index++;
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            if (_depth + 1 == _levels.Length)
            {
                throw new JsonTooDeepException();
            }

            _levels[++_depth] = new Level { IsArray = reader.TokenType == JsonTokenType.StartArray, Index = -1 };
        }
    }

    /// <summary>The JSON Pointer (RFC 6901) of the current value, member names as written (escapes kept).</summary>
    public string Pointer(ReadOnlySpan<byte> json)
    {
        if (_depth == 0)
        {
            return string.Empty;
        }

        var pointer = new StringBuilder();
        for (var i = 1; i <= _depth; i++)
        {
            pointer.Append('/');
            var level = _levels[i];
            if (level.IsArray)
            {
                pointer.Append(level.Index);
            }
            else
            {
                pointer.Append(Encoding.UTF8.GetString(json.Slice(level.NameStart, level.NameLength)).Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
            }
        }

        return pointer.ToString();
    }

    private struct Level
    {
        public bool IsArray;
        public int Index;
        public int NameStart;
        public int NameLength;
    }
}
