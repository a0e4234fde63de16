using System.Reflection;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.SecLang;

namespace EnvoyGovern.ExtProc.Waf;

/// <summary>Where the rules come from: a CRS installation, the user's own files, or the built-in set.</summary>
public sealed record WafRuleSources
{
    /// <summary>
    /// A CRS installation as users mount it: <c>crs-setup.conf</c> (or, when missing,
    /// <c>crs-setup.conf.example</c>) and <c>rules/*.conf</c> with its <c>*.data</c> files. Null: the built-in rules.
    /// </summary>
    public string? CrsDirectory { get; init; }

    /// <summary>SecLang text loaded right after the CRS setup (engine and TX overrides; tests set paranoia here).</summary>
    public string? SetupOverrides { get; init; }

    /// <summary>The user's rules and exclusions loaded before the CRS rules (ctl-based exclusions go here).</summary>
    public IReadOnlyList<string> BeforeCrs { get; init; } = [];

    /// <summary>The user's rules and exclusions loaded after the CRS rules (SecRuleRemoveById, SecRuleUpdateTargetById).</summary>
    public IReadOnlyList<string> AfterCrs { get; init; } = [];

    /// <summary>Match timeout of every regex.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>Builds a <see cref="RuleSet"/> from <see cref="WafRuleSources"/>.</summary>
internal static class WafRuleLoader
{
    /// <summary>The name of the built-in rules resource (SQL injection, XSS, path traversal).</summary>
    public const string DefaultRulesResource = "EnvoyGovern.ExtProc.Waf.default-rules.conf";

    // Engine defaults before any file: what a ModSecurity installation gets from modsecurity.conf.
    private const string Preamble = """
        SecRuleEngine On
        SecRequestBodyAccess On
        SecResponseBodyAccess On
        SecResponseBodyMimeType text/plain text/html text/xml application/json
        SecRequestBodyLimit 13107200
        SecRequestBodyNoFilesLimit 131072
        SecArgumentsLimit 1000
        """;

    public static RuleSet Load(WafRuleSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var builder = new RuleSetBuilder(sources.RegexTimeout);
        builder.AddText(Preamble, "(engine defaults)", AppContext.BaseDirectory);
        if (sources.CrsDirectory is null)
        {
            builder.AddText(ReadDefaultRules(), "(built-in rules)", AppContext.BaseDirectory);
            AddFiles(builder, sources.BeforeCrs);
            AddFiles(builder, sources.AfterCrs);
            return builder.Build();
        }

        var directory = sources.CrsDirectory;
        if (!Directory.Exists(directory))
        {
            throw new WafRuleException($"CRS directory '{directory}' does not exist");
        }

        var setup = Path.Combine(directory, "crs-setup.conf");
        if (!File.Exists(setup))
        {
            setup += ".example";
        }

        if (File.Exists(setup))
        {
            builder.AddFile(setup);
        }
        else if (sources.SetupOverrides is null)
        {
            throw new WafRuleException($"CRS directory '{directory}' has neither crs-setup.conf nor crs-setup.conf.example");
        }

        if (sources.SetupOverrides is not null)
        {
            builder.AddText(sources.SetupOverrides, "(setup overrides)", directory);
        }

        AddFiles(builder, sources.BeforeCrs);
        var rules = Path.Combine(directory, "rules");
        foreach (var file in Directory.GetFiles(rules, "*.conf").Order(StringComparer.Ordinal))
        {
            builder.AddFile(file);
        }

        AddFiles(builder, sources.AfterCrs);
        return builder.Build();
    }

    private static void AddFiles(RuleSetBuilder builder, IReadOnlyList<string> files)
    {
        foreach (var file in files)
        {
            builder.AddFile(file);
        }
    }

    private static string ReadDefaultRules()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(DefaultRulesResource)
            ?? throw new InvalidOperationException($"resource {DefaultRulesResource} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
