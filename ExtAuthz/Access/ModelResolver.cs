using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>
/// Which model and version a request asks for: from a header, the path, or the JSON body Envoy sends
/// (<c>with_request_body</c>), then looked up in the catalog. An id the catalog does not know is kept as
/// the model name with no version, so rules can still deny it by name.
/// </summary>
internal sealed class ModelResolver
{
    private readonly string? _header;
    private readonly Regex? _path;
    private readonly byte[]? _bodyField;
    private readonly Dictionary<string, (string Model, string Version)> _catalog = new(StringComparer.Ordinal);

    public ModelResolver(ModelsSpec spec)
    {
        _header = spec.Header?.ToLowerInvariant();
        _path = spec.PathPattern is null
            ? null
            : new Regex(spec.PathPattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        _bodyField = spec.BodyField is null ? null : Encoding.UTF8.GetBytes(spec.BodyField);
        foreach (var model in spec.Catalog)
        {
            _catalog[model.Name] = (model.Name, model.Stable);
            foreach (var version in model.Versions)
            {
                _catalog[version.Id] = (model.Name, version.Name);
            }
        }
    }

    public (string? Model, string? Version) Resolve(CheckContext context, RequestAttributes request)
    {
        var id = (_header is null ? null : context.GetHeader(_header)) ?? FromPath(request.Path) ?? FromBody(context);
        if (string.IsNullOrEmpty(id))
        {
            return (null, null);
        }

        return _catalog.TryGetValue(id, out var known) ? known : (id, null);
    }

    private string? FromPath(string path)
    {
        if (_path is null)
        {
            return null;
        }

        var match = _path.Match(path);
        return match.Success && match.Groups["model"] is { Success: true } group ? group.Value : null;
    }

    private string? FromBody(CheckContext context)
    {
        if (_bodyField is null)
        {
            return null;
        }

        var http = context.Http;
        var bytes = http.RawBody.IsEmpty ? Encoding.UTF8.GetBytes(http.Body) : http.RawBody.ToByteArray();
        if (bytes.Length == 0)
        {
            return null;
        }

        // Only the top level is read; a truncated (partial) body or broken JSON simply yields no model.
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var wanted = reader.ValueTextEquals(_bodyField);
                reader.Read();
                if (wanted)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }
}
