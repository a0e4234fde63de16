using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Inspection;

namespace EnvoyGovern.Tests.Fixtures;

/// <summary>Records what it was shown and answers with scripted verdicts.</summary>
public sealed class RecordingInspector : IInspector
{
    private readonly object _gate = new();
    private readonly List<string> _events = [];
    private readonly List<byte> _requestBody = [];

    public string Name => "recording";

    public Func<HttpDirection, InspectionVerdict> OnHeaders { get; init; } = _ => InspectionVerdict.Continue;

    public Func<HttpDirection, ReadOnlyMemory<byte>, bool, InspectionVerdict> OnBody { get; init; } = (_, _, _) => InspectionVerdict.Continue;

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public byte[] RequestBody
    {
        get
        {
            lock (_gate)
            {
                return [.. _requestBody];
            }
        }
    }

    public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        Add($"{direction}Headers");
        return ValueTask.FromResult(OnHeaders(direction));
    }

    public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Add($"{direction}Body({chunk.Length}{(endOfBody ? ",end" : string.Empty)})");
            if (direction == HttpDirection.Request)
            {
                _requestBody.AddRange(chunk.ToArray());
            }
        }

        return ValueTask.FromResult(OnBody(direction, chunk, endOfBody));
    }

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken)
    {
        Add($"{direction}Trailers");
        return ValueTask.FromResult(InspectionVerdict.Continue);
    }

    private void Add(string e)
    {
        lock (_gate)
        {
            _events.Add(e);
        }
    }
}

/// <summary>Requires the body on headers (as a content inspector does) and rewrites what it is shown.</summary>
public sealed class BodyRequiringInspector : IInspector
{
    private readonly object _gate = new();
    private readonly List<(HttpDirection Direction, byte[] Content, bool End)> _seen = [];

    public string Name => "body-test";

    public bool WholeBody { get; init; }

    public bool MayChange { get; init; }

    public long? Limit { get; init; }

    /// <summary>The body mode to ask for on headers (a mode_override), if any.</summary>
    public Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode? AskMode { get; init; }

    /// <summary>Returns the replacement for what was shown, or null to leave it.</summary>
    public Func<HttpDirection, byte[], bool, byte[]?> Rewrite { get; init; } = (_, _, _) => null;

    /// <summary>Rejects a part with this reply when it returns one.</summary>
    public Func<HttpDirection, byte[], bool, ImmediateReply?> Reject { get; init; } = (_, _, _) => null;

    public IReadOnlyList<(HttpDirection Direction, byte[] Content, bool End)> Seen
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken)
    {
        context.Body(direction).Require(WholeBody, MayChange, Limit);
        return ValueTask.FromResult(AskMode is { } mode ? new InspectionVerdict { BodyMode = mode } : InspectionVerdict.Continue);
    }

    public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
    {
        var content = chunk.ToArray();
        lock (_gate)
        {
            _seen.Add((direction, content, endOfBody));
        }

        if (Reject(direction, content, endOfBody) is { } reply)
        {
            return ValueTask.FromResult(new InspectionVerdict { Reject = reply });
        }

        return ValueTask.FromResult(Rewrite(direction, content, endOfBody) is { } replacement
            ? new InspectionVerdict { ReplaceBody = replacement }
            : InspectionVerdict.Continue);
    }

    public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken) =>
        ValueTask.FromResult(InspectionVerdict.Continue);
}
