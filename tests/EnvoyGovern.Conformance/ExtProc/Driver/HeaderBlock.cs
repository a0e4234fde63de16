using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.Headers;
using Google.Protobuf;
using AppendAction = Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>A header map with Envoy's mutation semantics; names are lower case.</summary>
internal sealed class HeaderBlock(IEnumerable<KeyValuePair<string, string>> headers)
{
    private readonly List<KeyValuePair<string, string>> _items = [.. headers.Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value))];

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

    public HeaderMap ToProto()
    {
        var map = new HeaderMap();
        map.Headers.AddRange(_items.Select(h => new HeaderValue { Key = h.Key, RawValue = ByteString.CopyFromUtf8(h.Value) }));
        return map;
    }

    public bool Contains(string name) => _items.Exists(h => h.Key == name);

    public void Remove(string name) => _items.RemoveAll(h => h.Key == name);

    public void Set(string name, string value)
    {
        var index = _items.FindIndex(h => h.Key == name);
        Remove(name);
        _items.Insert(index < 0 ? _items.Count : Math.Min(index, _items.Count), new(name, value));
    }

    /// <summary>Applies what Envoy applies; rejected changes were reported by the rules and are skipped here.</summary>
    public void Apply(HeaderMutation mutation, MutationRuleChecker checker, bool replacing, bool stripContentLength)
    {
        foreach (var name in mutation.RemoveHeaders.Select(n => n.ToLowerInvariant()))
        {
            if (HeaderRules.IsValidName(name) && checker.CheckRemove(name) == MutationDecision.Allowed)
            {
                Remove(name);
            }
        }

        foreach (var option in mutation.SetHeaders.Where(o => o.Header is not null))
        {
            var name = option.Header.Key.ToLowerInvariant();
            var allowed = checker.CheckSet(name) == MutationDecision.Allowed || (replacing && name == ":method");
            if (!allowed || (stripContentLength && name == "content-length"))
            {
                continue;
            }

            Apply(name, HeaderValueOptionRules.EffectiveValue(option.Header, HeaderValueSource.RawValue), ActionOf(option));
        }
    }

    private void Apply(string name, string value, AppendAction action)
    {
        switch (action)
        {
            case AppendAction.AppendIfExistsOrAdd:
                _items.Add(new(name, value));
                break;
            case AppendAction.AddIfAbsent when !Contains(name):
                _items.Add(new(name, value));
                break;
            case AppendAction.OverwriteIfExistsOrAdd:
                Set(name, value);
                break;
            case AppendAction.OverwriteIfExists when Contains(name):
                Set(name, value);
                break;
            default:
                break;
        }
    }

    // The deprecated append wins when present (older ext_proc reads nothing else).
    private static AppendAction ActionOf(HeaderValueOption option) => option.Append switch
    {
        true => AppendAction.AppendIfExistsOrAdd,
        false => AppendAction.OverwriteIfExistsOrAdd,
        null => option.AppendAction,
    };
}
