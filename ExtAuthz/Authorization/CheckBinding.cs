using Envoy.Service.Auth.V3;
using EnvoyGovern.ExtAuthz.Decisions;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.Core;

namespace EnvoyGovern.ExtAuthz.Authorization;

/// <summary>
/// Binds <c>envoy.service.auth.v3.Authorization/Check</c> like the generated <c>Authorization.BindService</c>,
/// with the answer's own marshaller (<see cref="CheckAnswer"/>), so that an allowed answer is written to the wire
/// without building a <see cref="CheckResponse"/>. Same service, method, path and message bytes as generated.
/// </summary>
/// <remarks>
/// Laid out as Grpc.Tools lays out a service (a base type nested in a type with <c>Descriptor</c> and
/// <c>BindService</c>): Grpc.AspNetCore finds the binding through <see cref="BindServiceMethodAttribute"/> and
/// gRPC reflection finds the descriptor on the base type's declaring type.
/// </remarks>
internal static class CheckBinding
{
    private static readonly Method<CheckRequest, CheckAnswer> CheckMethod = new(
        MethodType.Unary,
        Envoy.Service.Auth.V3.Authorization.Descriptor.FullName,
        "Check",
        Marshallers.Create<CheckRequest>(
            static (request, context) => throw new NotSupportedException("the server never sends a CheckRequest"),
            static context => CheckRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create<CheckAnswer>(
            static (answer, context) => answer.Serialize(context),
            static context => CheckAnswer.From(CheckResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence()))));

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
        public abstract Task<CheckAnswer> Check(CheckRequest request, ServerCallContext context);
    }
}
