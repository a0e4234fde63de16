using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Decisions;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.Core;

namespace EnvoyGovern.ExtAuthz.Authorization;

/// <summary>
/// Binds <c>envoy.service.auth.v3.Authorization/Check</c> like the generated <c>Authorization.BindService</c>,
/// with marshallers of our own on both sides: the request is read into a <see cref="CheckRequestView"/> (only what
/// the decision reads is located, nothing decoded up front) instead of a <see cref="CheckRequest"/>, and an allowed
/// answer is written to the wire without building a <see cref="CheckResponse"/> (<see cref="CheckAnswer"/>).
/// Same service, method, path and message bytes as generated.
/// </summary>
/// <remarks>
/// Laid out as Grpc.Tools lays out a service (a base type nested in a type with <c>Descriptor</c> and
/// <c>BindService</c>): Grpc.AspNetCore finds the binding through <see cref="BindServiceMethodAttribute"/> and
/// gRPC reflection finds the descriptor on the base type's declaring type.
/// </remarks>
internal static class CheckBinding
{
    private static readonly Method<CheckRequestView, CheckAnswer> CheckMethod = new(
        MethodType.Unary,
        Envoy.Service.Auth.V3.Authorization.Descriptor.FullName,
        "Check",
        Marshallers.Create<CheckRequestView>(
            static (request, context) => context.Complete(request.Payload.ToArray()),
            static context => Read(context)),
        Marshallers.Create<CheckAnswer>(
            static (answer, context) => answer.Serialize(context),
            static context => CheckAnswer.From(CheckResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence()))));

    // The view keeps the bytes it reads: a buffer of its own, since the call's buffers go back to Kestrel's pool.
    private static CheckRequestView Read(DeserializationContext context)
    {
        try
        {
            return CheckRequestView.Parse(context.PayloadAsNewBuffer());
        }
        catch (InvalidCheckRequestException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    /// <summary>The service as generated, for gRPC reflection.</summary>
    public static ServiceDescriptor Descriptor => Envoy.Service.Auth.V3.Authorization.Descriptor;

    /// <summary>Registers the Check method of <paramref name="service"/> (null while Grpc.AspNetCore discovers methods).</summary>
    public static void BindService(ServiceBinderBase binder, CheckBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(CheckMethod, service is null ? null : service.Check);
    }

    /// <summary>What the Authorization service implements.</summary>
    [BindServiceMethod(typeof(CheckBinding), nameof(BindService))]
    internal abstract class CheckBase
    {
        /// <summary>Envoy's ext_authz Check.</summary>
        public abstract Task<CheckAnswer> Check(CheckRequestView request, ServerCallContext context);
    }
}
