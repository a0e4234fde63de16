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
