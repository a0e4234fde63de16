using System.Globalization;
using EnvoyGovern.ExtProc.Waf.Engine;

namespace EnvoyGovern.ExtProc.Waf.Bodies;

/// <summary>
/// The multipart/form-data processor: form fields to ARGS_POST, file parts to FILES/FILES_NAMES/FILES_SIZES,
/// every part header line to MULTIPART_PART_HEADERS, and ModSecurity's MULTIPART_* anomaly flags (any of
/// them sets MULTIPART_STRICT_ERROR). Works on Latin-1 text, one char per byte.
/// </summary>
internal sealed class MultipartBody(WafTransaction transaction)
{
    private bool _strict;

    public void Parse(string body, string contentType)
    {
        var boundary = Boundary(contentType);
        if (boundary is null)
        {
            Flag("MULTIPART_STRICT_ERROR");
            transaction.BodyError("Multipart: boundary missing or invalid");
            return;
        }

        var delimiter = "--" + boundary;
        var position = body.IndexOf(delimiter, StringComparison.Ordinal);
        if (position < 0)
        {
            Flag("MULTIPART_UNMATCHED_BOUNDARY");
            transaction.BodyError("Multipart: no boundaries found in payload");
            Finish();
            return;
        }

        if (body.AsSpan(0, position).Trim("\r\n \t").Length > 0)
        {
            Flag("MULTIPART_DATA_BEFORE");
        }

        long filesSize = 0;
        var finalSeen = false;
        while (true)
        {
            var afterDelimiter = position + delimiter.Length;
            if (string.CompareOrdinal(body, afterDelimiter, "--", 0, 2) == 0)
            {
                finalSeen = true;
                if (body.AsSpan(afterDelimiter + 2).Trim("\r\n \t").Length > 0)
                {
                    Flag("MULTIPART_DATA_AFTER");
                }

                break;
            }

            var lineEnd = body.IndexOf('\n', afterDelimiter);
            if (lineEnd < 0)
            {
                break;
            }

            if (lineEnd == afterDelimiter || body[lineEnd - 1] != '\r')
            {
                Flag("MULTIPART_LF_LINE");
            }

            var next = body.IndexOf("\n" + delimiter, lineEnd, StringComparison.Ordinal);
            if (next < 0)
            {
                break;
            }

            var partEnd = next > 0 && body[next - 1] == '\r' ? next - 1 : next;
            filesSize += ParsePart(body[(lineEnd + 1)..partEnd]);
            position = next + 1;
        }

        if (!finalSeen)
        {
            Flag("MULTIPART_INVALID_PART");
            transaction.BodyError("Multipart: final boundary missing");
        }

        transaction.SetVariable(Variable.FilesCombinedSize, string.Empty, filesSize.ToString(CultureInfo.InvariantCulture));
        Finish();
    }

    private void Finish() => transaction.SetVariable(Variable.Flags, "MULTIPART_STRICT_ERROR", _strict ? "1" : "0");

    private void Flag(string name)
    {
        transaction.SetVariable(Variable.Flags, name, "1");
        _strict = true;
    }

    // Returns the size of a file part, 0 for a field.
    private long ParsePart(string part)
    {
        var headerEnd = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var separator = 4;
        if (headerEnd < 0)
        {
            headerEnd = part.IndexOf("\n\n", StringComparison.Ordinal);
            separator = 2;
            if (headerEnd >= 0)
            {
                Flag("MULTIPART_LF_LINE");
            }
        }

        if (headerEnd < 0)
        {
            if (part.StartsWith("\r\n", StringComparison.Ordinal) || part.StartsWith('\n'))
            {
                headerEnd = 0;
                separator = part[0] == '\r' ? 2 : 1;
            }
            else
            {
                Flag("MULTIPART_INVALID_PART");
                return 0;
            }
        }

        var headerLines = new List<string>();
        foreach (var raw in part[..headerEnd].Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headerLines.Count > 0)
            {
                Flag("MULTIPART_HEADER_FOLDING");
                headerLines[^1] += line;
            }
            else if (line.Length > 0)
            {
                headerLines.Add(line);
            }
        }

        var content = part[(headerEnd + separator)..];
        string? name = null;
        string? filename = null;
        foreach (var line in headerLines)
        {
            if (line.StartsWith("content-disposition:", StringComparison.OrdinalIgnoreCase))
            {
                ParseDisposition(line["content-disposition:".Length..], ref name, ref filename);
            }
        }

        if (name is null)
        {
            Flag("MULTIPART_INVALID_PART");
            transaction.BodyError("Multipart: part without a name");
            return 0;
        }

        foreach (var line in headerLines)
        {
            transaction.Collection(Variable.MultipartPartHeaders).Add(name, line);
        }

        if (filename is not null)
        {
            transaction.Collection(Variable.Files).Add(name, filename);
            transaction.Collection(Variable.FilesNames).Add(name, name);
            transaction.Collection(Variable.FilesSizes).Add(name, content.Length.ToString(CultureInfo.InvariantCulture));
            transaction.Collection(Variable.MultipartFilename).Add(name, filename);
            transaction.Collection(Variable.MultipartName).Add(name, name);
            return content.Length;
        }

        transaction.Collection(Variable.MultipartName).Add(name, name);
        transaction.AddArgument(Variable.ArgsPost, Variable.ArgsPostNames, name, content);
        return 0;
    }

    // form-data; name="a;b"; filename="x.txt": quoted values may hold ';' and \" escapes.
    private void ParseDisposition(string value, ref string? name, ref string? filename)
    {
        var i = 0;
        var type = ReadToken(value, ref i, ';');
        if (!type.Trim().Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            Flag("MULTIPART_INVALID_PART");
        }

        while (i < value.Length)
        {
            i++; // the ';'
            var key = ReadToken(value, ref i, '=', ';').Trim();
            if (i >= value.Length || value[i] != '=')
            {
                continue;
            }

            i++;
            while (i < value.Length && value[i] is ' ' or '\t')
            {
                i++;
            }

            string text;
            if (i < value.Length && value[i] == '"')
            {
                var builder = new System.Text.StringBuilder();
                i++;
                var closed = false;
                while (i < value.Length)
                {
                    if (value[i] == '\\' && i + 1 < value.Length && value[i + 1] is '"' or '\\')
                    {
                        builder.Append(value[i + 1]);
                        i += 2;
                    }
                    else if (value[i] == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }
                    else
                    {
                        builder.Append(value[i++]);
                    }
                }

                if (!closed)
                {
                    Flag("MULTIPART_INVALID_QUOTING");
                }

                text = builder.ToString();
                ReadToken(value, ref i, ';');
            }
            else
            {
                text = ReadToken(value, ref i, ';').Trim();
                if (text.Contains('\'', StringComparison.Ordinal))
                {
                    Flag("MULTIPART_INVALID_QUOTING");
                }
            }

            if (key.Equals("name", StringComparison.OrdinalIgnoreCase))
            {
                name = text;
            }
            else if (key.Equals("filename", StringComparison.OrdinalIgnoreCase) || key.Equals("filename*", StringComparison.OrdinalIgnoreCase))
            {
                filename = text;
            }
        }
    }

    private static string ReadToken(string value, ref int i, char stop, char stop2 = '\0')
    {
        var start = i;
        while (i < value.Length && value[i] != stop && value[i] != stop2)
        {
            i++;
        }

        return value[start..i];
    }

    private string? Boundary(string contentType)
    {
        var at = contentType.IndexOf("boundary", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }

        var equals = contentType.IndexOf('=', at);
        if (equals < 0)
        {
            return null;
        }

        if (contentType.AsSpan(at + 8, equals - at - 8).Trim().Length > 0)
        {
            return null;
        }

        if (equals > at + 8 || (equals + 1 < contentType.Length && char.IsWhiteSpace(contentType[equals + 1])))
        {
            Flag("MULTIPART_BOUNDARY_WHITESPACE");
        }

        var value = contentType[(equals + 1)..].Trim();
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0)
        {
            value = value[..semicolon].Trim();
        }

        if (value.StartsWith('"'))
        {
            Flag("MULTIPART_BOUNDARY_QUOTED");
            value = value.Trim('"');
        }

        return value.Length == 0 ? null : value;
    }
}
