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
        writer.WriteStartObject("event");
        writer.WriteString("id", e.Id);
        writer.WriteString("kind", e.Kind);
        if (e.Categories.Length > 0)
        {
            WriteArray(writer, "category", e.Categories);
        }

        WriteArray(writer, "type", e.Types);
        writer.WriteString("action", e.Action);
        writer.WriteString("outcome", e.Outcome);
        WriteIfSet(writer, "reason", e.Reason);
        if (e.Start is { } start)
        {
            writer.WriteString("start", start.UtcDateTime);
        }

        if (e.DurationNanoseconds is { } duration)
        {
            writer.WriteNumber("duration", duration);
        }

        writer.WriteString("dataset", Dataset);
        writer.WriteString("module", "envoygovern");
        writer.WriteString("provider", provider);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <c>trace.id</c> and <c>span.id</c> from a W3C <c>traceparent</c> header
    /// (<c>00-&lt;32 hex&gt;-&lt;16 hex&gt;-&lt;2 hex&gt;</c>); nothing for a missing or malformed one.
    /// </summary>
    public static void WriteTraceContext(Utf8JsonWriter writer, string? traceparent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!TryParseTraceparent(traceparent, out var traceId, out var spanId))
        {
            return;
        }

        writer.WriteStartObject("trace");
        writer.WriteString("id", traceId);
        writer.WriteEndObject();
        writer.WriteStartObject("span");
        writer.WriteString("id", spanId);
        writer.WriteEndObject();
    }

    /// <summary>Splits a <c>traceparent</c>; false when it is not version-00 shaped or has an all-zero id.</summary>
    public static bool TryParseTraceparent(string? value, out string traceId, out string spanId)
    {
        traceId = "";
        spanId = "";
        var text = value.AsSpan().Trim();
        // Later versions may append fields after the flags; the first four keep their layout.
        if (text.Length < 55 || text[2] != '-' || text[35] != '-' || text[52] != '-' || (text.Length > 55 && text[55] != '-'))
        {
            return false;
        }

        var version = text[..2];
        var trace = text.Slice(3, 32);
        var span = text.Slice(36, 16);
        if (!IsLowerHex(version) || version.SequenceEqual("ff") || !IsLowerHex(trace) || !IsLowerHex(span) || !IsLowerHex(text.Slice(53, 2))
            || !trace.ContainsAnyExcept('0') || !span.ContainsAnyExcept('0'))
        {
            return false;
        }

        traceId = trace.ToString();
        spanId = span.ToString();
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

        writer.WriteStartObject("url");
        WriteIfSet(writer, "scheme", string.IsNullOrEmpty(scheme) ? null : scheme);
        if (!string.IsNullOrEmpty(authority))
        {
            var (domain, port) = SplitAuthority(authority);
            writer.WriteString("domain", domain);
            if (port is { } p)
            {
                writer.WriteNumber("port", p);
            }
        }

        if (!string.IsNullOrEmpty(pathAndQuery))
        {
            var full = pathAndQuery.AsSpan();
            var fragment = full.IndexOf('#');
            if (fragment >= 0)
            {
                full = full[..fragment];
            }

            var question = full.IndexOf('?');
            writer.WriteString("path", question < 0 ? full : full[..question]);
            if (question >= 0 && redaction.RedactQuery(full[(question + 1)..]) is { } query)
            {
                writer.WriteString("query", query);
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

    /// <summary>Writes the caller: <c>user.id</c>/<c>user.name</c>, <c>user.group.name</c> (array), and the tenant as <c>organization.id</c>.</summary>
    public static void WriteCaller(Utf8JsonWriter writer, string? subject, IReadOnlyList<string> groups, string? tenant)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(groups);
        if (subject is not null)
        {
            writer.WriteStartObject("user");
            writer.WriteString("id", subject);
            writer.WriteString("name", subject);
            if (groups.Count > 0)
            {
                writer.WriteStartObject("group");
                WriteArray(writer, "name", groups);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        WriteInObject(writer, "organization", "id", tenant);
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

    /// <summary>Writes an array of strings.</summary>
    public static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++)
        {
            writer.WriteStringValue(values[i]);
        }

        writer.WriteEndArray();
    }

    /// <summary>"api.example.com:8443" and "[::1]:8443" into host and port; the host lower-cased.</summary>
    public static (string Domain, int? Port) SplitAuthority(string authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var end = authority.StartsWith('[') ? authority.IndexOf(']', StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (end > 0 && end < authority.Length && authority[end] == ':'
            && int.TryParse(authority.AsSpan(end + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port <= 65535)
        {
            return (authority[..end].Trim('[', ']').ToLowerInvariant(), port);
        }

        return (authority.Trim('[', ']').ToLowerInvariant(), null);
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(LowerHex);
}
