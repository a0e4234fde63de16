using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtAuthz.Canary;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtAuthz.Access;

/// <summary>The model a request asks for, as the catalog knows it.</summary>
/// <param name="Model">The model name, or the raw id for a model the catalog does not know.</param>
/// <param name="Version">The version, when the catalog knows the id.</param>
/// <param name="VersionPinned">True when the client named a version id rather than the bare model name.</param>
/// <param name="Routing">The model's clusters and canaries, when its versions name clusters.</param>
internal readonly record struct ResolvedModel(string? Model, string? Version, bool VersionPinned = false, ModelRouting? Routing = null);

/// <summary>
/// Which model and version a request asks for: from a header, the path, or the JSON body Envoy sends
/// (<c>with_request_body</c>), then looked up in the catalog. An id the catalog does not know is kept as
/// the model name with no version, so rules can still deny it by name.
/// </summary>
internal sealed class ModelResolver
{
    // Without backtracking a match is linear in the path, so the timeout is only a backstop against a
    // starved CPU: generous enough that a busy host does not turn a valid request into an error.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly string? _header;
    private readonly Regex? _path;
    private readonly byte[]? _bodyField;
    // Model ids in a JSON body are usually short: decoded on the stack, then looked up without a string.
    private const int StackLimit = 256;

    private readonly Dictionary<string, ResolvedModel> _catalog = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResolvedModel>.AlternateLookup<ReadOnlySpan<char>> _catalogBySpan;

    public ModelResolver(ModelsSpec spec)
    {
        _header = spec.Header?.ToLowerInvariant();
        _path = spec.PathPattern is null
            ? null
            : new Regex(spec.PathPattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeout);

        // The first match builds the automaton and compiles code: paid here, at policy load, not by a
        // request (under load that first match could exceed the timeout and fail the Check).
        _path?.IsMatch("/v1/models/warm-up/chat/completions");
        _bodyField = spec.BodyField is null ? null : Encoding.UTF8.GetBytes(spec.BodyField);
        _catalogBySpan = _catalog.GetAlternateLookup<ReadOnlySpan<char>>();
        var routings = new List<ModelRouting>();
        foreach (var model in spec.Catalog)
        {
            var routing = ModelRouting.Create(model);
            if (routing is not null)
            {
                routings.Add(routing);
            }

            _catalog[model.Name] = new ResolvedModel(model.Name, model.Stable, VersionPinned: false, routing);
            foreach (var version in model.Versions)
            {
                _catalog[version.Id] = new ResolvedModel(model.Name, version.Name, VersionPinned: true, routing);
            }
        }

        Routings = routings;
    }

    /// <summary>The models routed by cluster, for the guardrail monitor.</summary>
    public IReadOnlyList<ModelRouting> Routings { get; }

    public ResolvedModel Resolve(CheckContext context, RequestAttributes request)
    {
        var id = (_header is null ? null : context.GetHeader(_header)) ?? FromPath(request.Path);
        if (id is null)
        {
            return FromBody(context);
        }

        return id.Length == 0 ? default : _catalog.TryGetValue(id, out var known) ? known : new ResolvedModel(id, null);
    }

    private ResolvedModel Lookup(ReadOnlySpan<char> id) =>
        _catalogBySpan.TryGetValue(id, out var known) ? known : new ResolvedModel(id.ToString(), null);

    private string? FromPath(string path)
    {
        if (_path is null)
        {
            return null;
        }

        var match = _path.Match(path);
        return match.Success && match.Groups["model"] is { Success: true } group ? group.Value : null;
    }

    private ResolvedModel FromBody(CheckContext context)
    {
        if (_bodyField is null)
        {
            return default;
        }

        // The body's own bytes: no string of it, no copy (BodyUtf8 re-encodes only a body that is not valid UTF-8).
        var http = context.Http;
        var json = http.RawBody;
        if (json.IsEmpty)
        {
            json = http.BodyUtf8;
        }

        return json.IsEmpty ? default : FromJson(json);
    }

    private ResolvedModel FromJson(ReadOnlySpan<byte> json)
    {
        // Only the top level is read; a truncated (partial) body or broken JSON simply yields no model.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var wanted = reader.ValueTextEquals(_bodyField);
                reader.Read();
                if (wanted)
                {
                    return reader.TokenType == JsonTokenType.String ? Lookup(ref reader) : default;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return default;
        }

        return default;
    }

    private ResolvedModel Lookup(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length == 0)
        {
            return default;
        }

        if (length > StackLimit)
        {
            var longId = reader.GetString()!;
            return _catalog.TryGetValue(longId, out var known) ? known : new ResolvedModel(longId, null);
        }

        // Unescaped UTF-8 never has more chars than bytes.
        Span<char> id = stackalloc char[StackLimit];
        return Lookup(id[..reader.CopyString(id)]);
    }
}
