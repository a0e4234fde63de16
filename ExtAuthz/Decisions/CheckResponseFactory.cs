using System.Text.Json;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Governance.Envoy;
using Google.Protobuf.WellKnownTypes;
using GrpcCode = Grpc.Core.StatusCode;
using HttpCode = Envoy.Type.V3.StatusCode;
using RpcStatus = Google.Rpc.Status;

namespace EnvoyGovern.ExtAuthz.Decisions;

/// <summary>Turns a decision into the CheckResponse that Envoy's ext_authz filter expects.</summary>
public sealed class CheckResponseFactory
{
    // Shared, never mutated: protobuf serialisation only reads them.
    private static readonly HeaderValueOption AllowHeader = HeaderOptions.Overwrite(GovernanceHeaders.Decision, "allow");
    private static readonly HeaderValueOption DenyHeader = HeaderOptions.Overwrite(GovernanceHeaders.Decision, "deny");
    private static readonly HeaderValueOption ProblemContentType = HeaderOptions.Overwrite("content-type", "application/problem+json");

    /// <summary>Builds the response for <paramref name="decision"/>.</summary>
    public CheckResponse Create(Decision decision, CheckContext context)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(context);
        return decision.Outcome == DecisionOutcome.Allow ? Allow(context) : Deny(decision, context);
    }

    /// <summary>
    /// The answer the service sends for <paramref name="decision"/>: the same bytes as <see cref="Create"/>'s
    /// response, with an allowed one written without building the message.
    /// </summary>
    public CheckAnswer CreateAnswer(Decision decision, CheckContext context)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(context);
        return decision.Outcome == DecisionOutcome.Allow ? CheckAnswer.Allowed(context) : CheckAnswer.From(Deny(decision, context));
    }

    // Kept in step with AllowedAnswerWriter: AllowedAnswerWriterTests compare the two byte for byte.
    internal static CheckResponse Allow(CheckContext context)
    {
        var idHeader = HeaderOptions.Overwrite(GovernanceHeaders.DecisionId, context.DecisionId);
        var ok = new OkHttpResponse();
        ok.Headers.Add(AllowHeader);
        ok.Headers.Add(idHeader);
        if (context.PolicyVersion is { } version)
        {
            ok.Headers.Add(HeaderOptions.Overwrite(GovernanceHeaders.PolicyVersion, version));
        }

        foreach (var (name, value) in context.UpstreamHeaders)
        {
            ok.Headers.Add(HeaderOptions.Overwrite(name, value));
        }

        ok.HeadersToRemove.Add(context.RemovedUpstreamHeaders);
        ok.ResponseHeadersToAdd.Add(idHeader);
        return new CheckResponse
        {
            Status = new RpcStatus { Code = (int)GrpcCode.OK },
            OkResponse = ok,
            DynamicMetadata = Metadata("allow", "allowed", context),
        };
    }

    private static CheckResponse Deny(Decision decision, CheckContext context)
    {
        var denied = new DeniedHttpResponse
        {
            Status = new global::Envoy.Type.V3.HttpStatus { Code = (HttpCode)decision.HttpStatus },
            Body = Body(decision, context),
        };
        denied.Headers.Add(ProblemContentType);
        denied.Headers.Add(DenyHeader);
        denied.Headers.Add(HeaderOptions.Overwrite(GovernanceHeaders.DecisionId, context.DecisionId));
        if (context.PolicyVersion is { } version)
        {
            denied.Headers.Add(HeaderOptions.Overwrite(GovernanceHeaders.PolicyVersion, version));
        }

        foreach (var (name, value) in decision.ResponseHeaders)
        {
            denied.Headers.Add(HeaderOptions.Overwrite(name, value));
        }

        return new CheckResponse
        {
            Status = new RpcStatus { Code = (int)GrpcCodeFor(decision.HttpStatus), Message = decision.Reason },
            DeniedResponse = denied,
            DynamicMetadata = Metadata("deny", decision.Reason, context),
        };
    }

    // Envoy treats every non-zero code as a denial; the code still tells gRPC-aware tooling why.
    private static GrpcCode GrpcCodeFor(int httpStatus) => httpStatus switch
    {
        401 => GrpcCode.Unauthenticated,
        429 => GrpcCode.ResourceExhausted,
        400 => GrpcCode.InvalidArgument,
        _ => GrpcCode.PermissionDenied,
    };

    // RFC 9457 problem details: a machine-readable reason and the decision id to quote to support.
    private static string Body(Decision decision, CheckContext context)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", $"https://envoygovern.io/problems/{decision.Reason}");
            json.WriteString("title", decision.Reason);
            json.WriteNumber("status", decision.HttpStatus);
            json.WriteString("detail", decision.Message ?? "The request was denied by governance policy.");
            json.WriteString("reason", decision.Reason);
            json.WriteString("decision_id", context.DecisionId);
            if (context.PolicyVersion is { } version)
            {
                json.WriteString("policy_version", version);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static Struct Metadata(string decision, string reason, CheckContext context)
    {
        var metadata = new Struct();
        metadata.Fields["decision"] = Value.ForString(decision);
        metadata.Fields["reason"] = Value.ForString(reason);
        metadata.Fields["decision_id"] = Value.ForString(context.DecisionId);
        if (context.PolicyVersion is { } version)
        {
            metadata.Fields["policy_version"] = Value.ForString(version);
        }

        foreach (var (key, value) in context.Metadata)
        {
            metadata.Fields[key] = Value.ForString(value);
        }

        return metadata;
    }
}
