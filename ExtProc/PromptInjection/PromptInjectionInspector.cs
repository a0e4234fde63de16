using System.Globalization;
using System.Net;
using System.Text;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Content;
using EnvoyGovern.ExtProc.GenAi;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;

namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>
/// Scores what the caller supplied in a request (user and tool messages, prompts, inputs of an
/// OpenAI-compatible body; else the whole text) with <see cref="PromptInjectionDetector"/>. The request's
/// score is its highest text's: from the policy's <c>flagAt</c> it is recorded (findings with each signal,
/// the score to the upstream in a header), from <c>blockAt</c> it is refused with 403.
/// </summary>
internal sealed class PromptInjectionInspector : IInspector
{
    public const string InspectorName = "prompt_injection";
    public const string ScoreHeader = "x-governance-prompt-injection-score";

    // The answer on request headers when the body is not read: only the client's own score header goes. Verdicts
    // are immutable, so one instance serves every exchange (and so does the answer Envoy gets for it).
    private static readonly InspectionVerdict DropScoreHeader = InspectionVerdict.Constant(new() { RemoveHeaders = [ScoreHeader] });

    public string Name => InspectorName;

    public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (direction != HttpDirection.Request || ContentExchange.Of(context) is not { } exchange || exchange.Settings.PromptInjection is null)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        // Only this inspector may tell the upstream a score: a client's own header goes.
        var mode = exchange.RequestAdmitted ? exchange.Require(context, direction, mayChange: false) : null;
        return ValueTask.FromResult(mode is null ? DropScoreHeader : new InspectionVerdict { BodyMode = mode, RemoveHeaders = [ScoreHeader] });
    }

    public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (direction != HttpDirection.Request || !endOfBody || ContentExchange.Of(context) is not { RequestAdmitted: true, Settings.PromptInjection: { } policy })
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        var best = InjectionResult.None;
        string? bestLocation = null;
        foreach (var (location, text) in Texts(context, chunk.Span))
        {
            var result = PromptInjectionDetector.Score(text);
            if (result.Score >= policy.FlagAt)
            {
                Report(context, result, location);
            }

            if (result.Score > best.Score)
            {
                (best, bestLocation) = (result, location);
            }
        }

        if (best.Score < policy.FlagAt)
        {
            return ValueTask.FromResult(InspectionVerdict.Continue);
        }

        var blocked = best.Score >= policy.BlockAt;
        var summary = new Finding
        {
            Inspector = InspectorName,
            RuleId = "pi.score",
            Message = $"prompt-injection score {best.Score} ({(blocked ? $"blocked at {policy.BlockAt}" : $"flagged at {policy.FlagAt}")})",
            Category = "prompt-injection",
            Score = best.Score,
            Direction = HttpDirection.Request,
            Location = bestLocation,
            Blocking = blocked,
        };
        if (blocked)
        {
            return ValueTask.FromResult(ContentReplies.Refuse(context, 403, "prompt_injection", summary, "the request was refused: its content looks like a prompt-injection attempt"));
        }

        context.AddFinding(summary);
        return ValueTask.FromResult(new InspectionVerdict
        {
            SetHeaders = [new(ScoreHeader, best.Score.ToString(CultureInfo.InvariantCulture))],
        });
    }

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InspectionVerdict.Continue);

    // The caller's texts: from an OpenAI-compatible JSON body its messages and inputs; otherwise the
    // whole body (a form decoded), so no shape escapes the check.
    private static IEnumerable<(string Location, string Text)> Texts(InspectionContext context, ReadOnlySpan<byte> body)
    {
        var kind = context.Request.Kind;
        if (kind == BodyKind.Json && ChatRequest.Of(context, body) is { Supplied.Count: > 0 } request)
        {
            return request.Supplied.Select(s => (s.Location, s.Text));
        }

        var text = Encoding.UTF8.GetString(body);
        return [("body", kind == BodyKind.Form ? WebUtility.UrlDecode(text) : text)];
    }

    private static void Report(InspectionContext context, InjectionResult result, string location)
    {
        foreach (var signal in result.Signals)
        {
            context.AddFinding(new Finding
            {
                Inspector = InspectorName,
                RuleId = signal.RuleId,
                Message = signal.Message,
                Category = "prompt-injection",
                Score = signal.Weight,
                Direction = HttpDirection.Request,
                Location = location,
                Data = string.Create(CultureInfo.InvariantCulture, $"offset={signal.Offset}"),
            });
        }
    }
}
