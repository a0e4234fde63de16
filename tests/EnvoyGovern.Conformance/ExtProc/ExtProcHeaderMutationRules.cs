using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.Headers;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>Rules for an ext_proc <see cref="HeaderMutation"/>, with the filter's mutation rules.</summary>
internal static class ExtProcHeaderMutationRules
{
    public static void Check(HeaderMutation? mutation, string where, ExtProcFilterConfig config, List<ConformanceViolation> violations)
    {
        if (mutation is null)
        {
            return;
        }

        var checker = new MutationRuleChecker(config.MutationRules);
        foreach (var name in mutation.RemoveHeaders)
        {
            if (!HeaderRules.IsValidName(name))
            {
                violations.Add(new("HEADER_NAME_INVALID", $"{where}.remove_headers: '{name}' is not a valid name; Envoy answers 500."));
                continue;
            }

            Report(checker.CheckRemove(name), $"{where}.remove_headers: removing '{name}'", violations);
        }

        foreach (var option in mutation.SetHeaders)
        {
            HeaderValueOptionRules.Check(option, $"{where}.set_headers", HeaderValueSource.RawValue, violations);
            if (option.Header is { } header && HeaderRules.IsValidName(header.Key))
            {
                Report(checker.CheckSet(header.Key), $"{where}.set_headers: setting '{header.Key}'", violations);
            }
        }
    }

    private static void Report(MutationDecision decision, string what, List<ConformanceViolation> violations)
    {
        switch (decision)
        {
            case MutationDecision.Ignored:
                violations.Add(new(ExtProcRuleIds.MutationIgnored, $"{what} is not allowed by the mutation rules; Envoy ignores it."));
                break;
            case MutationDecision.Failed:
                violations.Add(new(ExtProcRuleIds.MutationFailed, $"{what} is not allowed and disallow_is_error is set; Envoy answers 500."));
                break;
            default:
                break;
        }
    }
}
