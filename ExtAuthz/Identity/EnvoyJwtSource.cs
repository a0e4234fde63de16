using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Policy.Model;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// A JWT that Envoy's jwt_authn filter has already verified, read from the payload it stores with
/// <c>payload_in_metadata</c> and forwards in <c>metadata_context</c>. Nothing is verified here: the
/// trust lies in jwt_authn running before ext_authz (and rejecting what it cannot verify).
/// </summary>
internal sealed class EnvoyJwtSource : IIdentitySource
{
    private readonly string _namespace;
    private readonly string _payloadKey;
    private readonly ClaimMapper _claims;

    private EnvoyJwtSource(string ns, string payloadKey, ClaimMapper claims)
    {
        _namespace = ns;
        _payloadKey = payloadKey;
        _claims = claims;
    }

    public string Kind => "envoyJwt";

    public static EnvoyJwtSource Create(EnvoyJwtSourceSpec spec, IdentitySourceContext context)
    {
        var path = context.Path + "/envoyJwt";
        if (string.IsNullOrWhiteSpace(spec.Namespace))
        {
            throw new PolicyCompilationException(path + "/namespace", "namespace must not be empty");
        }

        if (string.IsNullOrWhiteSpace(spec.PayloadKey))
        {
            throw new PolicyCompilationException(path + "/payloadKey", "payloadKey must not be empty");
        }

        return new EnvoyJwtSource(spec.Namespace, spec.PayloadKey, new ClaimMapper(spec.Claims, "envoyJwt", path + "/claims"));
    }

    public ValueTask<IdentityResult> AuthenticateAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Request.MetadataContext;
        if (metadata is null
            || !metadata.FilterMetadata.TryGetValue(_namespace, out var filter)
            || !filter.Fields.TryGetValue(_payloadKey, out var payload))
        {
            return ValueTask.FromResult(IdentityResult.None);
        }

        return ValueTask.FromResult(payload.KindCase == Value.KindOneofCase.StructValue
            ? _claims.Map(payload.StructValue)
            : IdentityResult.Reject("malformed_token", "The verified token payload is not an object."));
    }
}
