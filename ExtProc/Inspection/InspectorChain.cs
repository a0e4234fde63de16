using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>
/// Runs the registered inspectors over one part of the exchange and merges their verdicts: the first
/// rejection wins; header changes accumulate; a replaced body is what the next inspector sees.
/// A body some inspector required on headers (<see cref="BodyInfo.Require"/>, or a body mode asked for)
/// reaches the inspectors decoded, within its limit, and whole when asked; what they replace is encoded
/// again for Envoy.
/// </summary>
public sealed class InspectorChain(IEnumerable<IInspector> inspectors)
{
    // Answers a held chunk: Envoy forwards nothing of it now; the body goes on whole at its end.
    private static readonly InspectionVerdict Hold = new() { ReplaceBody = ReadOnlyMemory<byte>.Empty };

    private readonly IInspector[] _inspectors = inspectors.ToArray();

    /// <summary>True when no inspector is registered, so every part passes without a look.</summary>
    public bool IsEmpty => _inspectors.Length == 0;

    /// <summary>Runs every inspector on headers.</summary>
    public async ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        var merged = InspectionVerdict.Continue;
        foreach (var inspector in _inspectors)
        {
            var verdict = await inspector.OnHeadersAsync(context, direction, headers, endOfStream, cancellationToken);
            merged = Merge(merged, verdict);
            if (merged.Reject is not null)
            {
                return merged;
            }
        }

        var body = context.Body(direction);
        if (merged.BodyMode is not null)
        {
            body.MarkInspected();
        }

        // A body announced larger than the limit is refused before a byte of it is sent.
        if (body.Inspected && body.Expected && body.DeclaredLength > body.Limit)
        {
            return BodyRejections.TooLarge(context, direction, body.Limit);
        }

        // An inspector required the request body and never saw it: Envoy ignored the mode override (or
        // sends no body). Letting the exchange go on would pass the body uninspected.
        var request = context.Request;
        if (direction == HttpDirection.Response && request.Inspected && request.Expected && request.Messages == 0 && request.DeclaredLength != 0)
        {
            return BodyRejections.NotInspected(context);
        }

        return merged;
    }

    /// <summary>
    /// Runs every inspector on a body chunk: as received when no inspector required the body, else
    /// decoded (and held back until its end when the whole body was asked for).
    /// </summary>
    public async ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        var body = context.Body(direction);
        if (!body.Inspected)
        {
            return await RunBodyAsync(context, direction, chunk, endOfBody, cancellationToken);
        }

        var pipeline = body.Pipeline ??= new BodyPipeline(body);
        ReadOnlyMemory<byte>? content;
        try
        {
            content = pipeline.Accept(chunk, endOfBody);
        }
        catch (BodyLimitExceededException ex)
        {
            return BodyRejections.TooLarge(context, direction, ex.Limit);
        }
        catch (BodyDecodingException ex)
        {
            return BodyRejections.Undecodable(context, direction, ex);
        }

        if (content is not { } seen)
        {
            return Hold;
        }

        var verdict = await RunBodyAsync(context, direction, seen, endOfBody, cancellationToken);
        if (verdict.Reject is not null)
        {
            return verdict;
        }

        var output = pipeline.Output(verdict.ReplaceBody, seen, endOfBody);
        return output is null ? verdict : verdict with { ReplaceBody = output };
    }

    private async ValueTask<InspectionVerdict> RunBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        var merged = InspectionVerdict.Continue;
        foreach (var inspector in _inspectors)
        {
            var current = merged.ReplaceBody ?? chunk;
            var verdict = await inspector.OnBodyAsync(context, direction, current, endOfBody, cancellationToken);
            merged = Merge(merged, verdict);
            if (merged.Reject is not null)
            {
                break;
            }
        }

        return merged;
    }

    /// <summary>Runs every inspector on trailers.</summary>
    public async ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken)
    {
        var merged = InspectionVerdict.Continue;
        foreach (var inspector in _inspectors)
        {
            var verdict = await inspector.OnTrailersAsync(context, direction, trailers, cancellationToken);
            merged = Merge(merged, verdict);
            if (merged.Reject is not null)
            {
                break;
            }
        }

        return merged;
    }

    private static InspectionVerdict Merge(InspectionVerdict sofar, InspectionVerdict next)
    {
        if (next.IsPassThrough)
        {
            return sofar;
        }

        if (sofar.IsPassThrough)
        {
            return next;
        }

        return new InspectionVerdict
        {
            Reject = next.Reject ?? sofar.Reject,
            SetHeaders = [.. sofar.SetHeaders, .. next.SetHeaders],
            RemoveHeaders = [.. sofar.RemoveHeaders, .. next.RemoveHeaders],
            ReplaceBody = next.ReplaceBody ?? sofar.ReplaceBody,
            BodyMode = StrongerMode(sofar.BodyMode, next.BodyMode),
            ClearRouteCache = sofar.ClearRouteCache || next.ClearRouteCache,
            DynamicMetadata = MergeMetadata(sofar.DynamicMetadata, next.DynamicMetadata),
        };
    }

    // Namespaces of both; for a namespace both set, the later inspector's fields win.
    private static Google.Protobuf.WellKnownTypes.Struct? MergeMetadata(Google.Protobuf.WellKnownTypes.Struct? a, Google.Protobuf.WellKnownTypes.Struct? b)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var merged = a.Clone();
        foreach (var (name, value) in b.Fields)
        {
            if (merged.Fields.TryGetValue(name, out var existing) && existing.StructValue is { } fields && value.StructValue is { } more)
            {
                foreach (var (key, field) in more.Fields)
                {
                    fields.Fields[key] = field;
                }
            }
            else
            {
                merged.Fields[name] = value;
            }
        }

        return merged;
    }

    // When two inspectors ask for the body in different modes, the one that sees more wins:
    // buffered (whole body) over partial over streamed.
    private static BodySendMode? StrongerMode(
        BodySendMode? a,
        BodySendMode? b)
    {
        if (a is null)
        {
            return b;
        }

        if (b is null)
        {
            return a;
        }

        static int Rank(BodySendMode m) => m switch
        {
            BodySendMode.Buffered => 3,
            BodySendMode.BufferedPartial => 2,
            BodySendMode.Streamed => 1,
            _ => 0,
        };

        return Rank(b.Value) > Rank(a.Value) ? b : a;
    }
}
