using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Protos.Compat;
using Grpc.Core;
using Google.Protobuf;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace EnvoyGovern.ExtProc.Processing;

/// <summary>
/// Binds <c>envoy.service.ext_proc.v3.ExternalProcessor/Process</c> like the generated
/// <c>ExternalProcessor.BindService</c>, with marshallers of our own: a message is read by
/// <see cref="ProcessingRequestReader"/> into a <see cref="ProcessingMessage"/> (headers without a generated message, a
/// string per name or a copy per value), and an answer
/// that is the same for every stream is written from its bytes, serialized once (<see cref="ProcessingResponses"/>).
/// Same service, method, path and message bytes as generated.
/// </summary>
/// <remarks>
/// Laid out as Grpc.Tools lays out a service (a base type nested in a type with <c>Descriptor</c> and
/// <c>BindService</c>): Grpc.AspNetCore finds the binding through <see cref="BindServiceMethodAttribute"/> and
/// gRPC reflection finds the descriptor on the base type's declaring type.
/// </remarks>
internal static class ProcessBinding
{
    /// <summary>The method with its marshallers (the benchmarks read and write through them, as gRPC does).</summary>
    internal static readonly Method<ProcessingMessage, ProcessingResponse> ProcessMethod = new(
        MethodType.DuplexStreaming,
        ExternalProcessor.Descriptor.FullName,
        "Process",
        Marshallers.Create<ProcessingMessage>(
            static (request, context) => context.Complete(request.ToRequest().ToByteArray()),
            static context => ProcessingRequestReader.Read(context.PayloadAsNewBuffer())),
        Marshallers.Create<ProcessingResponse>(
            static (answer, context) => Write(answer, context),
            static context => ProcessingResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

    /// <summary>The service as generated, for gRPC reflection.</summary>
    public static ServiceDescriptor Descriptor => ExternalProcessor.Descriptor;

    /// <summary>Registers the Process method of <paramref name="service"/> (null while Grpc.AspNetCore discovers methods).</summary>
    public static void BindService(ServiceBinderBase binder, ProcessBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(ProcessMethod, service is null ? null : service.Process);
    }

    private static void Write(ProcessingResponse answer, SerializationContext context)
    {
        if (ProcessingResponses.Serialized(answer) is { } bytes)
        {
            context.Complete(bytes);
            return;
        }

        // As the generated marshaller writes a message: straight into the call's buffer.
        context.SetPayloadLength(answer.CalculateSize());
        answer.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    /// <summary>What the ExternalProcessor service implements.</summary>
    [BindServiceMethod(typeof(ProcessBinding), nameof(BindService))]
    internal abstract class ProcessBase
    {
        /// <summary>Envoy's ext_proc stream.</summary>
        public abstract Task Process(IAsyncStreamReader<ProcessingMessage> requestStream, IServerStreamWriter<ProcessingResponse> responseStream, ServerCallContext context);
    }
}
