using System.Buffers;
using System.Globalization;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>
/// What the scanner found in one direction, acted on and reported: each match's action decides
/// (block, redact, record), and each becomes an audit finding with its type, place and action, never
/// its value. The first <see cref="Detailed"/> are reported one by one, the rest as one count.
/// </summary>
internal sealed class PiiFindings(InspectionContext context, HttpDirection direction, PiiSettings settings)
{
    public const string InspectorName = "pii";
    public const int Detailed = 50;

    private int _reported;
    private int _suppressed;

    /// <summary>True once a match's action was block.</summary>
    public bool Blocked { get; private set; }

    /// <summary>The first blocked entity's rule id.</summary>
    public string? BlockedRule { get; private set; }

    public PiiSettings Settings => settings;

    /// <summary>True while findings are still reported one by one (so their location is worth computing).</summary>
    public bool Detailing => _reported < Detailed;

    /// <summary>
    /// Reports the <paramref name="matches"/> of <paramref name="value"/> found at <paramref name="location"/>
    /// and writes the value with the redacted ones masked to <paramref name="output"/>; false (nothing
    /// written) when no match is redacted.
    /// </summary>
    public bool Apply(ReadOnlySpan<byte> value, List<PiiMatch> matches, string location, ArrayBufferWriter<byte> output, int offsetBase = 0)
    {
        var changed = false;
        var copied = 0;
        foreach (var match in matches)
        {
            var action = settings.ActionFor(match);
            Report(match, action, location, offsetBase);
            if (action != PiiAction.Redact)
            {
                continue;
            }

            changed = true;
            output.Write(value[copied..match.Start]);
            output.Write(settings.MaskFor(match));
            copied = match.End;
        }

        if (changed)
        {
            output.Write(value[copied..]);
        }

        return changed;
    }

    /// <summary>Adds the count of the findings not reported one by one.</summary>
    public void Flush()
    {
        if (_suppressed == 0)
        {
            return;
        }

        context.AddFinding(new Finding
        {
            Inspector = InspectorName,
            RuleId = "pii.more",
            Message = $"{_suppressed} more personal data entities (only the first {Detailed} are listed)",
            Category = "pii",
            Direction = direction,
            Score = _suppressed,
            Blocking = Blocked,
        });
        _suppressed = 0;
    }

    /// <summary>Reports one match (the action decides whether it blocks) and returns its action.</summary>
    public PiiAction Report(in PiiMatch match, string location, int offsetBase = 0)
    {
        var action = settings.ActionFor(match);
        Report(match, action, location, offsetBase);
        return action;
    }

    private void Report(in PiiMatch match, PiiAction action, string location, int offsetBase)
    {
        var ruleId = settings.RuleId(match);
        if (action == PiiAction.Block && !Blocked)
        {
            Blocked = true;
            BlockedRule = ruleId;
        }

        if (_reported >= Detailed)
        {
            _suppressed++;
            return;
        }

        _reported++;
        var verb = action switch
        {
            PiiAction.Redact => "redacted",
            PiiAction.Block => "blocked",
            _ => "recorded",
        };
        var entity = match.Entity == PiiEntity.Custom ? settings.Scanner.Patterns[match.Pattern].Name : PiiEntities.SnakeName(match.Entity);
        context.AddFinding(new Finding
        {
            Inspector = InspectorName,
            RuleId = ruleId,
            Message = $"{entity} {verb}",
            Category = "pii",
            Direction = direction,
            Location = location,
            Data = string.Create(CultureInfo.InvariantCulture, $"offset={offsetBase + match.Start} length={match.Length}"),
            Tags = [$"entity:{entity}", $"action:{verb}"],
            Blocking = action == PiiAction.Block,
        });
    }
}
