using System.Globalization;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Rules;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.ExtProc.Waf.SecLang;

/// <summary>
/// Reads SecLang files and text in order and builds a <see cref="RuleSet"/>. Any directive, operator,
/// transformation or pattern it cannot honour exactly is a <see cref="WafRuleException"/> naming the file,
/// line and rule id: a ruleset never loads with a rule silently missing.
/// </summary>
internal sealed partial class RuleSetBuilder(TimeSpan regexTimeout)
{
    // Directives about logging, storage and the host server: accepted, and meaningless for an ext_proc
    // service (audit and logs are ours).
    private static readonly HashSet<string> Ignored = new(StringComparer.OrdinalIgnoreCase)
    {
        "SecComponentSignature", "SecAuditEngine", "SecAuditLog", "SecAuditLog2", "SecAuditLogParts", "SecAuditLogType",
        "SecAuditLogFormat", "SecAuditLogRelevantStatus", "SecAuditLogStorageDir", "SecAuditLogDirMode", "SecAuditLogFileMode",
        "SecDebugLog", "SecDebugLogLevel", "SecTmpDir", "SecDataDir", "SecUploadDir", "SecUploadKeepFiles", "SecUploadFileMode",
        "SecUploadFileLimit", "SecCollectionTimeout", "SecStatusEngine", "SecUnicodeMapFile", "SecPcreMatchLimit",
        "SecPcreMatchLimitRecursion", "SecArgumentSeparator", "SecCookieFormat", "SecTmpSaveUploadedFiles", "SecRequestBodyInMemoryLimit",
        "SecRequestBodyJsonDepthLimit", "SecResponseBodyMimeTypesClear", "SecServerSignature", "SecGeoLookupDb", "SecHashEngine",
        "SecXmlExternalEntity", "SecRuleInheritance", "SecSensorId", "SecConnEngine", "SecWebAppId", "SecHttpBlKey",
    };

    private readonly List<Rule> _rules = [];
    private readonly Dictionary<int, List<KeyValuePair<string, string?>>> _defaults = [];
    private readonly Dictionary<string, TransformChain> _chains = new(StringComparer.Ordinal) { [string.Empty] = TransformChain.None };
    private readonly List<RxOperator> _regexes = [];
    private Rule? _openChain;
    private EngineSettings _settings = new();

    public void AddFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new WafRuleException($"{path}: cannot read: {ex.Message}", ex);
        }

        AddText(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    public void AddText(string text, string name, string baseDirectory)
    {
        foreach (var directive in SecLangTokenizer.Tokenize(text, name))
        {
            try
            {
                Apply(directive, baseDirectory);
            }
            catch (Exception ex) when (ex is FormatException or PcreTranslationException or ArgumentException or IOException or OverflowException or RegexParseException)
            {
                throw new WafRuleException($"{directive.File}:{directive.Line}: {directive.Name}{RuleIdOf(directive)}: {ex.Message}", ex);
            }
        }
    }

    public RuleSet Build()
    {
        if (_openChain is not null)
        {
            throw new WafRuleException($"{_openChain}: 'chain' without a following rule");
        }

        var phases = new Rule[6][];
        for (var phase = 0; phase < phases.Length; phase++)
        {
            phases[phase] = [.. _rules.Where(r => r.Marker is not null || r.Phase == phase)];
        }

        var blockDisrupts = new bool[6];
        foreach (var (phase, actions) in _defaults)
        {
            blockDisrupts[phase] = actions.Any(a => a.Key is "deny" or "drop" or "redirect");
        }

        return new RuleSet(phases, _settings, _regexes, _chains.Count, blockDisrupts);
    }

    private static string RuleIdOf(Directive directive)
    {
        var actions = directive.Arguments.Count > 0 ? directive.Arguments[^1] : string.Empty;
        var match = IdPattern().Match(actions);
        return match.Success ? $" (rule {match.Groups[1].Value})" : string.Empty;
    }

    [GeneratedRegex(@"\bid:'?(\d+)", RegexOptions.None, 1000)]
    private static partial Regex IdPattern();

    private void Apply(Directive directive, string baseDirectory)
    {
        var args = directive.Arguments;
        switch (directive.Name.ToLowerInvariant())
        {
            case "secrule":
                Require(args, 2, 3);
                AddRule(directive, args[0], args[1], args.Count > 2 ? args[2] : string.Empty, baseDirectory);
                break;
            case "secaction":
                Require(args, 1, 1);
                AddRule(directive, null, null, args[0], baseDirectory);
                break;
            case "secmarker":
                Require(args, 1, 1);
                _rules.Add(new Rule { File = directive.File, Line = directive.Line, Marker = args[0], Phase = 0 });
                break;
            case "secdefaultaction":
                Require(args, 1, 1);
                var actions = SecLangSyntax.Actions(args[0]);
                var phase = actions.Where(a => a.Key == "phase").Select(a => ParsePhase(a.Value)).DefaultIfEmpty(2).Last();
                _defaults[phase] = actions;
                break;
            case "secruleremovebyid":
                foreach (var range in args.SelectMany(a => a.Split(' ', ',')).Where(a => a.Length > 0).Select(RuleIdRange.Parse).ToList())
                {
                    _rules.RemoveAll(r => r.Marker is null && range.Contains(r.Id));
                }

                break;
            case "secruleremovebytag":
                var tag = new Regex(args[0], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, regexTimeout);
                _rules.RemoveAll(r => r.Marker is null && r.Tags.Any(tag.IsMatch));
                break;
            case "secruleremovebymsg":
                var msg = new Regex(args[0], RegexOptions.CultureInvariant, regexTimeout);
                _rules.RemoveAll(r => r.Marker is null && r.Message is not null && msg.IsMatch(r.Message.Text));
                break;
            case "secruleupdatetargetbyid":
                Require(args, 2, 3);
                var ids = args[0].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(RuleIdRange.Parse).ToList();
                UpdateTargets(_rules.Where(r => r.Marker is null && ids.Any(i => i.Contains(r.Id))), args[1]);
                break;
            case "secruleupdatetargetbytag":
                Require(args, 2, 3);
                UpdateTargets(_rules.Where(r => r.Marker is null && r.HasTag(args[0])), args[1]);
                break;
            case "secruleupdateactionbyid":
                Require(args, 2, 2);
                var id = int.Parse(args[0], CultureInfo.InvariantCulture);
                foreach (var rule in _rules.Where(r => r.Id == id))
                {
                    ApplyActions(rule, SecLangSyntax.Actions(args[1]), update: true);
                }

                break;
            case "secruleengine":
                _settings = _settings with { Mode = Enum.Parse<RuleEngineMode>(args[0], ignoreCase: true) };
                break;
            case "secrequestbodyaccess":
                _settings = _settings with { RequestBodyAccess = OnOff(args[0]) };
                break;
            case "secresponsebodyaccess":
                _settings = _settings with { ResponseBodyAccess = OnOff(args[0]) };
                break;
            case "secrequestbodylimit":
                _settings = _settings with { RequestBodyLimit = long.Parse(args[0], CultureInfo.InvariantCulture) };
                break;
            case "secrequestbodynofileslimit":
                _settings = _settings with { RequestBodyNoFilesLimit = long.Parse(args[0], CultureInfo.InvariantCulture) };
                break;
            case "secrequestbodylimitaction":
                _settings = _settings with { RequestBodyLimitReject = string.Equals(args[0], "Reject", StringComparison.OrdinalIgnoreCase) };
                break;
            case "secresponsebodylimit":
                _settings = _settings with { ResponseBodyLimit = long.Parse(args[0], CultureInfo.InvariantCulture) };
                break;
            case "secresponsebodylimitaction":
                _settings = _settings with { ResponseBodyLimitReject = string.Equals(args[0], "Reject", StringComparison.OrdinalIgnoreCase) };
                break;
            case "secresponsebodymimetype":
                _settings = _settings with { ResponseBodyMimeTypes = [.. args.SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries))] };
                break;
            case "secargumentslimit":
                _settings = _settings with { ArgumentsLimit = int.Parse(args[0], CultureInfo.InvariantCulture) };
                break;
            case "include":
                Include(args[0], baseDirectory);
                break;
            default:
                if (!Ignored.Contains(directive.Name))
                {
                    throw new FormatException($"directive '{directive.Name}' is not supported");
                }

                break;
        }
    }

    private void Include(string pattern, string baseDirectory)
    {
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var name = Path.GetFileName(full);
        var files = name.Contains('*', StringComparison.Ordinal) ? Directory.GetFiles(directory, name).Order(StringComparer.Ordinal).ToArray() : [full];
        foreach (var file in files)
        {
            AddFile(file);
        }
    }

    private static void Require(IReadOnlyList<string> args, int min, int max)
    {
        if (args.Count < min || args.Count > max)
        {
            throw new FormatException($"expects {min} to {max} arguments, has {args.Count}");
        }
    }

    private static bool OnOff(string value) => string.Equals(value, "On", StringComparison.OrdinalIgnoreCase);

    private void UpdateTargets(IEnumerable<Rule> rules, string targets)
    {
        var parsed = SecLangSyntax.Targets(targets, regexTimeout);
        foreach (var rule in rules)
        {
            foreach (var target in parsed)
            {
                (target.Exclusion ? rule.Exclusions : rule.Targets).Add(target);
            }
        }
    }

    private void AddRule(Directive directive, string? targets, string? operatorText, string actionText, string baseDirectory)
    {
        var rule = new Rule { File = directive.File, Line = directive.Line };
        var actions = SecLangSyntax.Actions(actionText);
        var parent = _openChain;
        if (parent is null)
        {
            // Defaults first, so the rule's own actions override them; t:none in the rule clears default transformations.
            var phase = actions.Where(a => a.Key == "phase").Select(a => ParsePhase(a.Value)).DefaultIfEmpty(2).Last();
            if (_defaults.TryGetValue(phase, out var defaults))
            {
                ApplyActions(rule, [.. defaults.Where(a => a.Key is not ("id" or "phase" or "chain"))], update: false);
            }
        }

        ApplyActions(rule, actions, update: false);
        if (targets is not null)
        {
            foreach (var target in SecLangSyntax.Targets(targets, regexTimeout))
            {
                (target.Exclusion ? rule.Exclusions : rule.Targets).Add(target);
            }

            rule.Operator = OperatorFactory.Create(operatorText!, baseDirectory, regexTimeout, out var negated);
            rule.Negated = negated;
            if (rule.Operator is RxOperator rx)
            {
                _regexes.Add(rx);
            }
        }

        rule.Transforms = Intern(rule.TransformNames);
        if (parent is not null)
        {
            rule.Phase = parent.Phase;
            rule.Id = parent.Id;
            rule.Parent = parent.Parent ?? parent;
            parent.Chained = rule;
        }
        else
        {
            if (rule.Id == 0)
            {
                throw new FormatException("rule has no id");
            }

            if (_rules.Any(r => r.Marker is null && r.Id == rule.Id))
            {
                throw new FormatException($"duplicate rule id {rule.Id}");
            }

            rule.Parent = rule;
            _rules.Add(rule);
        }

        _openChain = rule.IsChain ? rule : null;
    }

    private TransformChain Intern(List<string> names)
    {
        var key = string.Join(',', names);
        if (_chains.TryGetValue(key, out var chain))
        {
            return chain;
        }

        var prefix = Intern(names.GetRange(0, names.Count - 1));
        var steps = new Func<string, string>[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            Transforms.TryGet(names[i], out steps[i]);
        }

        chain = new TransformChain(_chains.Count, [.. names], steps, prefix);
        _chains[key] = chain;
        return chain;
    }

    private static int ParsePhase(string? value) => value?.ToLowerInvariant() switch
    {
        "request" => 2,
        "response" => 4,
        "logging" => 5,
        null => throw new FormatException("phase needs a value"),
        _ => int.Parse(value, CultureInfo.InvariantCulture) is var phase and >= 1 and <= 5 ? phase : throw new FormatException($"phase '{value}' is not 1 to 5"),
    };
}
