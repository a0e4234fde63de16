using Envoy.Config.Core.V3;
using Action = Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction;

namespace EnvoyGovern.Conformance.Headers;

/// <summary>
/// Rules for one <see cref="HeaderValueOption"/>, shared by ext_authz and ext_proc.
/// </summary>
/// <remarks>
/// Append semantics differ across Envoy versions and filters: ext_authz uses the deprecated
/// <c>append</c> when present and only then falls back to <c>append_action</c>; ext_proc's
/// <c>mutation_utils</c> long read only <c>append</c> (absent = overwrite). The only portable answer
/// sets both, consistently: <c>append=true</c> with APPEND_IF_EXISTS_OR_ADD, <c>append=false</c> with
/// OVERWRITE_IF_EXISTS_OR_ADD. ADD_IF_ABSENT and OVERWRITE_IF_EXISTS have no <c>append</c>
/// equivalent, so readers of <c>append</c> would overwrite instead.
/// </remarks>
public static class HeaderValueOptionRules
{
    /// <summary>Appends the violations of <paramref name="option"/> to <paramref name="violations"/>.</summary>
    public static void Check(HeaderValueOption option, string where, HeaderValueSource source, ICollection<ConformanceViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(violations);
        if (option.Header is null)
        {
            violations.Add(new("HVO_HEADER_MISSING", $"{where}: HeaderValueOption without header; Envoy skips it."));
            return;
        }

        CheckValue(option.Header, where, source, violations);
        CheckAppend(option, where, violations);
    }

    /// <summary>The value Envoy will use for <paramref name="header"/> under <paramref name="source"/>.</summary>
    public static string EffectiveValue(HeaderValue header, HeaderValueSource source)
    {
        ArgumentNullException.ThrowIfNull(header);
        return source == HeaderValueSource.RawValue ? header.RawValue.ToStringUtf8() : header.Value;
    }

    private static void CheckValue(HeaderValue header, string where, HeaderValueSource source, ICollection<ConformanceViolation> violations)
    {
        var name = header.Key;
        if (!HeaderRules.IsValidName(name))
        {
            violations.Add(new("HEADER_NAME_INVALID", $"{where}: '{name}' is not a valid header name; Envoy fails the request."));
        }

        if (header.Value.Length > 0 && !header.RawValue.IsEmpty)
        {
            violations.Add(new("HEADER_VALUE_AND_RAW_VALUE", $"{where}: '{name}' sets both value and raw_value; ext_proc fails the request."));
        }
        else if (source == HeaderValueSource.RawValue && header.Value.Length > 0)
        {
            violations.Add(new("HEADER_VALUE_NOT_RAW", $"{where}: '{name}' uses value; ext_proc reads raw_value only and would set an empty header."));
        }
        else if (source == HeaderValueSource.Value && !header.RawValue.IsEmpty)
        {
            violations.Add(new("HEADER_RAW_VALUE_IGNORED", $"{where}: '{name}' uses raw_value; ext_authz reads value only and would set an empty header."));
        }

        var valid = source == HeaderValueSource.RawValue
            ? HeaderRules.IsValidValue(header.RawValue.Span) && HeaderRules.IsValidValue(header.Value)
            : HeaderRules.IsValidValue(header.Value);
        if (!valid)
        {
            violations.Add(new("HEADER_VALUE_INVALID", $"{where}: '{name}' has CR, LF or NUL in its value; Envoy rejects it."));
        }
    }

    private static void CheckAppend(HeaderValueOption option, string where, ICollection<ConformanceViolation> violations)
    {
        var name = option.Header.Key;
        var action = option.AppendAction;
        if (!Enum.IsDefined(action))
        {
            violations.Add(new("HVO_APPEND_ACTION_INVALID", $"{where}: '{name}' has unknown append_action {(int)action}; Envoy rejects it."));
            return;
        }

        if (action is Action.AddIfAbsent or Action.OverwriteIfExists)
        {
            violations.Add(new("HVO_APPEND_ACTION_UNPORTABLE",
                $"{where}: '{name}' uses {action}, which has no 'append' equivalent; Envoy versions that read 'append' overwrite instead."));
            return;
        }

        if (option.Append is not { } append)
        {
            violations.Add(new("HVO_APPEND_MISSING",
                $"{where}: '{name}' leaves the deprecated 'append' unset; set it to match append_action ({action})."));
            return;
        }

        var expected = append ? Action.AppendIfExistsOrAdd : Action.OverwriteIfExistsOrAdd;
        if (action != expected)
        {
            violations.Add(new("HVO_APPEND_MISMATCH",
                $"{where}: '{name}' has append={append} but append_action={action}; ext_authz obeys 'append' and ignores append_action."));
        }
    }
}
