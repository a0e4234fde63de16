using System.Text.Json;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>The <c>event.*</c> facts of one audit record (ECS 9).</summary>
/// <param name="Id">Unique id (<c>event.id</c>): the decision or exchange id.</param>
/// <param name="Kind"><c>event.kind</c>: <c>event</c>, or <c>state</c> for checkpoints.</param>
/// <param name="Action"><c>event.action</c>, for example <c>authorization-check</c>.</param>
/// <param name="Outcome"><c>event.outcome</c>: <c>success</c>, <c>failure</c> or <c>unknown</c>.</param>
public readonly record struct AuditEvent(string Id, string Kind, string Action, string Outcome)
{
    /// <summary><c>event.category</c> values.</summary>
    public string[] Categories { get; init; } = [];

    /// <summary><c>event.type</c> values.</summary>
    public string[] Types { get; init; } = [];

    /// <summary><c>event.reason</c>: why the outcome (a stable code such as <c>quota_exceeded</c>).</summary>
    public string? Reason { get; init; }

    /// <summary><c>event.start</c>.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary><c>event.duration</c> in nanoseconds.</summary>
    public long? DurationNanoseconds { get; init; }
}

/// <summary>Writes ECS field groups that several records share, with ECS names and types.</summary>
public static class EcsFields
{
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    // Pre-encoded names and constant values: every record writes them, and a string name is transcoded to UTF-8
    // and checked for escaping on every write.
    private static readonly JsonEncodedText EventName = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText KindName = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText CategoryName = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText ActionName = JsonEncodedText.Encode("action");
    private static readonly JsonEncodedText OutcomeName = JsonEncodedText.Encode("outcome");
    private static readonly JsonEncodedText ReasonName = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText StartName = JsonEncodedText.Encode("start");
    private static readonly JsonEncodedText DurationName = JsonEncodedText.Encode("duration");
    private static readonly JsonEncodedText DatasetName = JsonEncodedText.Encode("dataset");
    private static readonly JsonEncodedText ModuleName = JsonEncodedText.Encode("module");
    private static readonly JsonEncodedText ProviderName = JsonEncodedText.Encode("provider");
    private static readonly JsonEncodedText DatasetValue = JsonEncodedText.Encode(Dataset);
    private static readonly JsonEncodedText ModuleValue = JsonEncodedText.Encode("envoygovern");
    private static readonly JsonEncodedText TraceName = JsonEncodedText.Encode("trace");
    private static readonly JsonEncodedText SpanName = JsonEncodedText.Encode("span");
    private static readonly JsonEncodedText UrlName = JsonEncodedText.Encode("url");
    private static readonly JsonEncodedText SchemeName = JsonEncodedText.Encode("scheme");
    private static readonly JsonEncodedText DomainName = JsonEncodedText.Encode("domain");
    private static readonly JsonEncodedText PortName = JsonEncodedText.Encode("port");
    private static readonly JsonEncodedText PathName = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText QueryName = JsonEncodedText.Encode("query");
    private static readonly JsonEncodedText UserName = JsonEncodedText.Encode("user");
    private static readonly JsonEncodedText NameName = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText GroupName = JsonEncodedText.Encode("group");
    private static readonly JsonEncodedText OrganizationName = JsonEncodedText.Encode("organization");

    /// <summary>The ECS version the records follow.</summary>
    public const string Version = "9.4.0";

    /// <summary><c>event.dataset</c> of every audit record: what marks a line as an audit record.</summary>
    public const string Dataset = "envoygovern.audit";

    /// <summary>Nanoseconds between two instants, for <c>event.duration</c> (ECS long).</summary>
    public static long Nanoseconds(DateTimeOffset start, DateTimeOffset end) => Math.Max(0, (end - start).Ticks) * 100;

    /// <summary>Writes the <c>event</c> object.</summary>
    public static void WriteEvent(Utf8JsonWriter writer, in AuditEvent e, string provider)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject(EventName);
        writer.WriteString(IdName, e.Id);
        WriteKnown(writer, KindName, e.Kind);
        if (e.Categories.Length > 0)
        {
            WriteKnownArray(writer, CategoryName, e.Categories);
        }

        WriteKnownArray(writer, TypeName, e.Types);
        WriteKnown(writer, ActionName, e.Action);
        WriteKnown(writer, OutcomeName, e.Outcome);
        WriteIfSet(writer, ReasonName, e.Reason);
        if (e.Start is { } start)
        {
            writer.WriteString(StartName, start.UtcDateTime);
        }

        if (e.DurationNanoseconds is { } duration)
        {
            writer.WriteNumber(DurationName, duration);
        }

        writer.WriteString(DatasetName, DatasetValue);
        writer.WriteString(ModuleName, ModuleValue);
        WriteKnown(writer, ProviderName, provider);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <c>trace.id</c> and <c>span.id</c> from a W3C <c>traceparent</c> header
    /// (<c>00-&lt;32 hex&gt;-&lt;16 hex&gt;-&lt;2 hex&gt;</c>); nothing for a missing or malformed one.
    /// </summary>
    public static void WriteTraceContext(Utf8JsonWriter writer, string? traceparent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var text = traceparent.AsSpan().Trim();
        if (!IsTraceparent(text))
        {
            return;
        }

        writer.WriteStartObject(TraceName);
        writer.WriteString(IdName, text.Slice(3, 32));
        writer.WriteEndObject();
        writer.WriteStartObject(SpanName);
        writer.WriteString(IdName, text.Slice(36, 16));
        writer.WriteEndObject();
    }

    /// <summary>Splits a <c>traceparent</c>; false when it is not version-00 shaped or has an all-zero id.</summary>
    public static bool TryParseTraceparent(string? value, out string traceId, out string spanId)
    {
        traceId = "";
        spanId = "";
        var text = value.AsSpan().Trim();
        if (!IsTraceparent(text))
        {
            return false;
        }

        traceId = text.Slice(3, 32).ToString();
        spanId = text.Slice(36, 16).ToString();
        return true;
    }

    /// <summary>Writes <c>url</c> from an authority and a path with its query (the query redacted).</summary>
    public static void WriteUrl(Utf8JsonWriter writer, string? scheme, string? authority, string? pathAndQuery, AuditRedaction redaction)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(redaction);
        if (authority is null && pathAndQuery is null)
        {
            return;
        }

        writer.WriteStartObject(UrlName);
        WriteIfSet(writer, SchemeName, string.IsNullOrEmpty(scheme) ? null : scheme);
        if (!string.IsNullOrEmpty(authority))
        {
            var host = SplitAuthority(authority, out var port);
            // Lower-cased on the stack: a string per record for the host would be garbage on every decision.
            Span<char> domain = host.Length <= 256 ? stackalloc char[host.Length] : new char[host.Length];
            host.ToLowerInvariant(domain);
            writer.WriteString(DomainName, domain);
            if (port is { } p)
            {
                writer.WriteNumber(PortName, p);
            }
        }

        if (!string.IsNullOrEmpty(pathAndQuery))
        {
            var full = WithoutFragment(pathAndQuery);
            var question = full.IndexOf('?');
            writer.WriteString(PathName, question < 0 ? full : full[..question]);
            if (question >= 0 && redaction.RedactQuery(full[(question + 1)..]) is { } query)
            {
                writer.WriteString(QueryName, query);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes <c>"object":{"member":value}</c> when <paramref name="value"/> is not null.</summary>
    public static void WriteInObject(Utf8JsonWriter writer, string objectName, string member, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            return;
        }

        writer.WriteStartObject(objectName);
        writer.WriteString(member, value);
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>"object":{"member":value}</c> when <paramref name="value"/> is not null (names pre-encoded).</summary>
    public static void WriteInObject(Utf8JsonWriter writer, JsonEncodedText objectName, JsonEncodedText member, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is not null)
        {
            writer.WriteStartObject(objectName);
            writer.WriteString(member, value);
            writer.WriteEndObject();
        }
    }

    /// <summary>Writes the caller: <c>user.id</c>/<c>user.name</c>, <c>user.group.name</c> (array), and the tenant as <c>organization.id</c>.</summary>
    public static void WriteCaller(Utf8JsonWriter writer, string? subject, IReadOnlyList<string> groups, string? tenant)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(groups);
        if (subject is not null)
        {
            writer.WriteStartObject(UserName);
            writer.WriteString(IdName, subject);
            writer.WriteString(NameName, subject);
            if (groups.Count > 0)
            {
                writer.WriteStartObject(GroupName);
                WriteArray(writer, NameName, groups);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        WriteInObject(writer, OrganizationName, IdName, tenant);
    }

    /// <summary>Writes a string member when <paramref name="value"/> is not null.</summary>
    public static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Writes a string member when <paramref name="value"/> is not null (the name pre-encoded).</summary>
    public static void WriteIfSet(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Writes an array of strings.</summary>
    public static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray(name);
        WriteValues(writer, values);
    }

    /// <summary>Writes an array of strings (the name pre-encoded).</summary>
    public static void WriteArray(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray(name);
        WriteValues(writer, values);
    }

    /// <summary>"api.example.com:8443" and "[::1]:8443" into host and port; the host lower-cased.</summary>
    public static (string Domain, int? Port) SplitAuthority(string authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var host = SplitAuthority(authority, out var port);
        return (host.ToString().ToLowerInvariant(), port);
    }

    internal static ReadOnlySpan<char> SplitAuthority(ReadOnlySpan<char> authority, out int? port)
    {
        var end = authority.StartsWith('[') ? authority.IndexOf(']') + 1 : authority.LastIndexOf(':');
        if (end > 0 && end < authority.Length && authority[end] == ':'
            && int.TryParse(authority[(end + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p <= 65535)
        {
            port = p;
            return authority[..end].Trim("[]");
        }

        port = null;
        return authority.Trim("[]");
    }

    private static void WriteKnown(Utf8JsonWriter writer, JsonEncodedText name, string value)
    {
        if (Known(value) is { } encoded)
        {
            writer.WriteString(name, encoded);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteKnownArray(Utf8JsonWriter writer, JsonEncodedText name, string[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            if (Known(value) is { } encoded)
            {
                writer.WriteStringValue(encoded);
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }

        writer.WriteEndArray();
    }

    // The event.* values every decision and exchange record writes, pre-encoded: matching a literal is cheaper than
    // transcoding it and checking it for escaping on every record. Any other value is written as it comes.
    private static JsonEncodedText? Known(string value) => value switch
    {
        "event" => KnownValues.Event,
        "web" => KnownValues.Web,
        "access" => KnownValues.Access,
        "allowed" => KnownValues.Allowed,
        "denied" => KnownValues.Denied,
        "success" => KnownValues.Success,
        "failure" => KnownValues.Failure,
        "authorization-check" => KnownValues.AuthorizationCheck,
        "http-inspection" => KnownValues.HttpInspection,
        "extauthz" => KnownValues.ExtAuthz,
        "extproc" => KnownValues.ExtProc,
        _ => null,
    };

    private static void WriteValues(Utf8JsonWriter writer, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            writer.WriteStringValue(values[i]);
        }

        writer.WriteEndArray();
    }

    internal static ReadOnlySpan<char> WithoutFragment(ReadOnlySpan<char> pathAndQuery)
    {
        var fragment = pathAndQuery.IndexOf('#');
        return fragment >= 0 ? pathAndQuery[..fragment] : pathAndQuery;
    }

    internal static bool IsTraceparent(ReadOnlySpan<char> text)
    {
        // Later versions may append fields after the flags; the first four keep their layout.
        if (text.Length < 55 || text[2] != '-' || text[35] != '-' || text[52] != '-' || (text.Length > 55 && text[55] != '-'))
        {
            return false;
        }

        var version = text[..2];
        var trace = text.Slice(3, 32);
        var span = text.Slice(36, 16);
        return IsLowerHex(version) && !version.SequenceEqual("ff") && IsLowerHex(trace) && IsLowerHex(span) && IsLowerHex(text.Slice(53, 2))
            && trace.ContainsAnyExcept('0') && span.ContainsAnyExcept('0');
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(LowerHex);
}

/// <summary>Pre-encoded <c>event.*</c> values (see <see cref="EcsFields"/>).</summary>
file static class KnownValues
{
    public static readonly JsonEncodedText Event = JsonEncodedText.Encode("event");
    public static readonly JsonEncodedText Web = JsonEncodedText.Encode("web");
    public static readonly JsonEncodedText Access = JsonEncodedText.Encode("access");
    public static readonly JsonEncodedText Allowed = JsonEncodedText.Encode("allowed");
    public static readonly JsonEncodedText Denied = JsonEncodedText.Encode("denied");
    public static readonly JsonEncodedText Success = JsonEncodedText.Encode("success");
    public static readonly JsonEncodedText Failure = JsonEncodedText.Encode("failure");
    public static readonly JsonEncodedText AuthorizationCheck = JsonEncodedText.Encode("authorization-check");
    public static readonly JsonEncodedText HttpInspection = JsonEncodedText.Encode("http-inspection");
    public static readonly JsonEncodedText ExtAuthz = JsonEncodedText.Encode("extauthz");
    public static readonly JsonEncodedText ExtProc = JsonEncodedText.Encode("extproc");
}
