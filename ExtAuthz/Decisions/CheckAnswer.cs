using System.Buffers;
using Envoy.Service.Auth.V3;
using Google.Protobuf;
using Grpc.Core;
using EnvoyGovern.ExtAuthz.Decisions.Wire;

namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>
/// The Check answer as the service sends it: an allowed decision is written to the wire straight from its
/// context (<see cref="AllowedAnswerWriter"/>), or copied from an earlier answer of the same shape with its own
/// decision id (<see cref="AnswerTemplates"/>); any other answer is the generated <see cref="CheckResponse"/>.
/// Envoy and every client read the same <c>CheckResponse</c> bytes either way.
/// </summary>
public sealed class CheckAnswer
{
    private readonly CheckResponse? _response;
    private readonly CheckContext? _allowed;
    private AllowedAnswerLayout _layout;
    private AnswerTemplate? _template;

    private CheckAnswer(CheckResponse? response, CheckContext? allowed) => (_response, _allowed) = (response, allowed);

    /// <summary>The answer to an allowed request, from what the decision added to <paramref name="context"/>.</summary>
    public static CheckAnswer Allowed(CheckContext context) => new(null, context ?? throw new ArgumentNullException(nameof(context)));

    /// <summary>An answer already built as a message (denials, and what a client receives).</summary>
    public static CheckAnswer From(CheckResponse response) => new(response ?? throw new ArgumentNullException(nameof(response)), null);

    /// <summary>The answer as a message, built on demand for an allowed one (tests, tools; not the service's path).</summary>
    public CheckResponse ToResponse() => _response ?? CheckResponseFactory.Allow(_allowed!);

    /// <summary>The serialized answer, as the gRPC marshaller writes it.</summary>
    public byte[] ToByteArray()
    {
        var bytes = new byte[CalculateSize()];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Writes the serialized answer to <paramref name="output"/>; returns its size.</summary>
    public int WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var size = CalculateSize();
        WriteTo(output, size);
        return size;
    }

    /// <summary>Writes the answer as a gRPC message payload.</summary>
    internal void Serialize(SerializationContext context)
    {
        var size = CalculateSize();
        context.SetPayloadLength(size);
        WriteTo(context.GetBufferWriter(), size);
        context.Complete();
    }

    private void WriteTo(IBufferWriter<byte> output, int size)
    {
        var span = output.GetSpan(size);
        if (span.Length >= size)
        {
            WriteTo(span[..size]);
            output.Advance(size);
            return;
        }

        // A buffer writer that cannot give one span of this size: write aside and copy.
        var rented = ArrayPool<byte>.Shared.Rent(size);
        WriteTo(rented.AsSpan(0, size));
        output.Write(rented.AsSpan(0, size));
        ArrayPool<byte>.Shared.Return(rented);
    }

    private int CalculateSize()
    {
        if (_response is not null)
        {
            return _response.CalculateSize();
        }

        _template = AnswerTemplates.Find(_allowed!);
        if (_template is not null)
        {
            return _template.Length;
        }

        _layout = AllowedAnswerWriter.Measure(_allowed!);
        return _layout.Total;
    }

    private void WriteTo(Span<byte> destination)
    {
        if (_response is not null)
        {
            _response.WriteTo(destination);
            return;
        }

        if (_template is not null)
        {
            _template.WriteTo(destination, _allowed!.DecisionId);
            return;
        }

        // A writer that disagreed with its own measure would send a corrupt answer: fail the call instead.
        if (AllowedAnswerWriter.Write(_allowed!, _layout, destination) != destination.Length)
        {
            throw new InvalidOperationException("the allowed answer's size differs from its measure");
        }
    }
}
