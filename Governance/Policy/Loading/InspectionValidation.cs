using System.Text.RegularExpressions;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Checks of the <c>inspection</c> section that the schema cannot express.</summary>
internal static class InspectionValidation
{
    /// <summary>The built-in personal data entities, as policy names them.</summary>
    public static readonly string[] PiiEntities = ["email", "phone", "creditCard", "iban", "usSsn", "ipAddress"];

    private const string At = "/spec/inspection";

    public static void Check(InspectionSpec? inspection, ErrorSink sink)
    {
        if (inspection is null)
        {
            return;
        }

        MatchValidation.NonEmpty(inspection.Paths, $"{At}/paths", sink);
        if (inspection.MaxBodyBytes is < 1 or > 1024L * 1024 * 1024)
        {
            sink.Add($"{At}/maxBodyBytes", $"{inspection.MaxBodyBytes} is not a usable limit; use 1 to 1073741824 bytes (the service's Bodies:MaxDecodedBytes caps it too)");
        }

        Pii(inspection.Pii, sink);
        Models(inspection.Models, sink);
        ResponseHeaders(inspection.ResponseHeaders, sink);
        if (inspection.PromptInjection is { } injection)
        {
            if (injection.FlagAt is < 1 or > 100)
            {
                sink.Add($"{At}/promptInjection/flagAt", $"{injection.FlagAt} is not a score; scores run from 1 to 100");
            }

            if (injection.BlockAt is { } block && (block > 100 || block < injection.FlagAt))
            {
                sink.Add($"{At}/promptInjection/blockAt", $"{block} must be a score from flagAt ({injection.FlagAt}) to 100; leave it out to flag only");
            }
        }
    }

    private static void Models(ModelGovernanceSpec? models, ErrorSink sink)
    {
        if (models is null)
        {
            return;
        }

        if (models.Tenants.Count == 0)
        {
            sink.Add($"{At}/models/tenants", "list at least one entry (tenants: ['*'] for everyone); without one no tenant may call a model");
        }

        for (var i = 0; i < models.Tenants.Count; i++)
        {
            var entry = models.Tenants[i];
            var at = $"{At}/models/tenants/{i}";
            if (entry.Tenants.Count == 0)
            {
                sink.Add($"{at}/tenants", "list at least one tenant, or '*'");
            }

            MatchValidation.NonEmpty(entry.Tenants, $"{at}/tenants", sink);
            MatchValidation.NonEmpty(entry.Models, $"{at}/models", sink);
            if (entry.MaxTokens is < 1)
            {
                sink.Add($"{at}/maxTokens", $"{entry.MaxTokens} is not a cap; use 1 or more, or leave it out for none");
            }
        }
    }

    private static void ResponseHeaders(ResponseHeadersSpec? headers, ErrorSink sink)
    {
        if (headers is null)
        {
            return;
        }

        for (var i = 0; i < headers.Remove.Count; i++)
        {
            var name = headers.Remove[i];
            if (!IsLowerCaseHeader(name))
            {
                sink.Add($"{At}/responseHeaders/remove/{i}", $"'{name}' cannot be removed: use a lower-case header name (not a pseudo-header)");
            }
        }

        foreach (var (name, value) in headers.Add)
        {
            if (!IsLowerCaseHeader(name) || name.StartsWith("x-envoy-", StringComparison.Ordinal))
            {
                sink.Add($"{At}/responseHeaders/add/{name}", $"'{name}' cannot be set: use a lower-case header name (not a pseudo-header, not x-envoy-*, which Envoy ignores)");
            }
            else if (value.Any(c => c is '\r' or '\n' or '\0'))
            {
                sink.Add($"{At}/responseHeaders/add/{name}", "a header value may not contain CR, LF or NUL");
            }
        }
    }

    private static void Pii(PiiSpec? pii, ErrorSink sink)
    {
        if (pii is null)
        {
            return;
        }

        foreach (var name in pii.Entities.Keys)
        {
            if (Array.IndexOf(PiiEntities, name) < 0)
            {
                sink.Add($"{At}/pii/entities/{name}", $"'{name}' is not a built-in entity; use one of {string.Join(", ", PiiEntities)}, or add a pattern");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < pii.Patterns.Count; i++)
        {
            Pattern(pii.Patterns[i], $"{At}/pii/patterns/{i}", names, sink);
        }
    }

    private static void Pattern(PiiPatternSpec pattern, string at, HashSet<string> names, ErrorSink sink)
    {
        if (!IsSnakeCase(pattern.Name))
        {
            sink.Add($"{at}/name", $"'{pattern.Name}' is not a usable name; use lower-case letters, digits and '_' (it names the entity in findings)");
        }
        else if (!names.Add(pattern.Name) || Array.IndexOf(PiiEntities, pattern.Name) >= 0)
        {
            sink.Add($"{at}/name", $"'{pattern.Name}' is already the name of another entity");
        }

        try
        {
            var regex = new Regex(pattern.Pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            if (regex.IsMatch(string.Empty))
            {
                sink.Add($"{at}/pattern", "the pattern matches empty text, so it would match everywhere");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            sink.Add($"{at}/pattern", $"not a usable regular expression ({ex.Message}); patterns run without backtracking, so lookarounds and backreferences are not available");
        }

        if (pattern.MaxLength is < 1 or > 4096)
        {
            sink.Add($"{at}/maxLength", $"{pattern.MaxLength} is out of range; use 1 to 4096 characters");
        }

        if (pattern.Mask is { } mask && mask.Any(char.IsControl))
        {
            sink.Add($"{at}/mask", "the mask may not contain control characters");
        }
    }

    private static bool IsLowerCaseHeader(string name) =>
        Envoy.HeaderRules.IsValidName(name) && !name.StartsWith(':') && !name.Any(char.IsUpper);

    private static bool IsSnakeCase(string name) =>
        name.Length is > 0 and <= 64 && name[0] is >= 'a' and <= 'z'
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}
