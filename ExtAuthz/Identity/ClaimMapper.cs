using System.Globalization;
using System.Text.Json;
using EnvoyGovern.Governance.Policy.Model;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// Turns a verified token payload into a <see cref="CallerIdentity"/> by the policy's claim names.
/// Payloads arrive as JSON (tokens verified here) or as a protobuf <see cref="Struct"/> (Envoy's
/// jwt_authn metadata); both are reduced to the same few shapes: a scalar, or a list of strings.
/// </summary>
internal sealed class ClaimMapper
{
    private static readonly char[] GroupSeparators = [' ', ','];

    private readonly ClaimMappingSpec _spec;
    private readonly string _source;

    public ClaimMapper(ClaimMappingSpec spec, string source, string path)
    {
        if (string.IsNullOrWhiteSpace(spec.Subject) || string.IsNullOrWhiteSpace(spec.Tenant) || string.IsNullOrWhiteSpace(spec.Groups))
        {
            throw new PolicyCompilationException(path, "subject, tenant and groups claim names must not be empty");
        }

        _spec = spec;
        _source = source;
    }

    /// <summary>Maps a JSON payload; a token without a subject claim is rejected.</summary>
    public IdentityResult Map(JsonElement payload) => Build(
        Scalar(payload, _spec.Subject),
        Scalar(payload, _spec.Tenant),
        Groups(payload, _spec.Groups),
        _spec.Region is null ? null : Scalar(payload, _spec.Region),
        Scalar(payload, "jti"));

    /// <summary>Maps a jwt_authn payload struct.</summary>
    public IdentityResult Map(Struct payload) => Build(
        Scalar(payload, _spec.Subject),
        Scalar(payload, _spec.Tenant),
        Groups(payload, _spec.Groups),
        _spec.Region is null ? null : Scalar(payload, _spec.Region),
        Scalar(payload, "jti"));

    private IdentityResult Build(string? subject, string? tenant, IReadOnlyList<string> groups, string? region, string? jti) =>
        string.IsNullOrEmpty(subject)
            ? IdentityResult.Reject("missing_subject", $"The token has no '{_spec.Subject}' claim.")
            : IdentityResult.Success(new CallerIdentity(_source, subject, string.IsNullOrEmpty(tenant) ? null : tenant, groups, region, jti));

    private static string? Scalar(JsonElement payload, string name) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static string[] Groups(JsonElement payload, string name)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.Array => [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Where(g => g.Length > 0)],
            JsonValueKind.String => Split(value.GetString()!),
            _ => [],
        };
    }

    private static string? Scalar(Struct payload, string name) =>
        payload.Fields.TryGetValue(name, out var value)
            ? value.KindCase switch
            {
                Value.KindOneofCase.StringValue => value.StringValue,

                // jwt_authn turns JSON numbers into doubles; integral ones are written back without ".0".
                Value.KindOneofCase.NumberValue => value.NumberValue.ToString("R", CultureInfo.InvariantCulture),
                _ => null,
            }
            : null;

    private static string[] Groups(Struct payload, string name)
    {
        if (!payload.Fields.TryGetValue(name, out var value))
        {
            return [];
        }

        return value.KindCase switch
        {
            Value.KindOneofCase.ListValue => [.. value.ListValue.Values.Where(v => v.KindCase == Value.KindOneofCase.StringValue && v.StringValue.Length > 0).Select(v => v.StringValue)],
            Value.KindOneofCase.StringValue => Split(value.StringValue),
            _ => [],
        };
    }

    private static string[] Split(string groups) => groups.Split(GroupSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
