namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>
/// The ECS field groups of <see cref="EcsFields"/> for <see cref="AuditRecordWriter"/>: the same members, names, types
/// and order, for the records written on every request. Each group starts with its comma (it never comes first).
/// </summary>
public static class EcsRecordFields
{
    /// <summary>Writes <c>url</c> from an authority and a path with its query (the query redacted), as <see cref="EcsFields.WriteUrl"/>.</summary>
    public static void WriteUrl(AuditRecordWriter writer, string? scheme, string? authority, string? pathAndQuery, AuditRedaction redaction)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(redaction);
        if (authority is null && pathAndQuery is null)
        {
            return;
        }

        writer.Raw(",\"url\":{"u8);
        var first = true;
        if (!string.IsNullOrEmpty(scheme))
        {
            Name(writer, ref first, ",\"scheme\":"u8);
            writer.Text(scheme);
        }

        if (!string.IsNullOrEmpty(authority))
        {
            var host = EcsFields.SplitAuthority(authority, out var port);
            Name(writer, ref first, ",\"domain\":"u8);
            if (host.ContainsAnyInRange('A', 'Z') || !System.Text.Ascii.IsValid(host))
            {
                // Lower-cased on the stack: a string per record for the host would be garbage on every decision.
                Span<char> domain = host.Length <= 256 ? stackalloc char[host.Length] : new char[host.Length];
                host.ToLowerInvariant(domain);
                writer.Text(domain);
            }
            else
            {
                // Already lower-case ASCII, as nearly every authority is: nothing to copy first.
                writer.Text(host);
            }

            if (port is { } p)
            {
                writer.Raw(",\"port\":"u8);
                writer.Number(p);
            }
        }

        if (!string.IsNullOrEmpty(pathAndQuery))
        {
            var full = EcsFields.WithoutFragment(pathAndQuery);
            var question = full.IndexOf('?');
            Name(writer, ref first, ",\"path\":"u8);
            writer.Text(question < 0 ? full : full[..question]);
            if (question >= 0 && redaction.RedactQuery(full[(question + 1)..]) is { } query)
            {
                writer.Raw(",\"query\":"u8);
                writer.Text(query);
            }
        }

        writer.Raw("}"u8);
    }

    /// <summary>Writes the caller as <see cref="EcsFields.WriteCaller"/>: <c>user.*</c>, and the tenant as <c>organization.id</c>.</summary>
    public static void WriteCaller(AuditRecordWriter writer, string? subject, IReadOnlyList<string> groups, string? tenant)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(groups);
        if (subject is not null)
        {
            writer.Member(",\"user\":{\"id\":"u8, subject);
            writer.Member(",\"name\":"u8, subject);
            if (groups.Count > 0)
            {
                writer.Raw(",\"group\":{\"name\":["u8);
                for (var i = 0; i < groups.Count; i++)
                {
                    if (i > 0)
                    {
                        writer.Raw(","u8);
                    }

                    writer.Text(groups[i]);
                }

                writer.Raw("]}"u8);
            }

            writer.Raw("}"u8);
        }

        if (tenant is not null)
        {
            writer.Member(",\"organization\":{\"id\":"u8, tenant);
            writer.Raw("}"u8);
        }
    }

    /// <summary>Writes <c>trace.id</c> and <c>span.id</c> from a W3C <c>traceparent</c>, as <see cref="EcsFields.WriteTraceContext"/>.</summary>
    public static void WriteTraceContext(AuditRecordWriter writer, string? traceparent) => WriteTraceContext(writer, traceparent.AsSpan());

    /// <summary>As <see cref="WriteTraceContext(AuditRecordWriter, string?)"/>, from the header's characters (empty when absent).</summary>
    public static void WriteTraceContext(AuditRecordWriter writer, ReadOnlySpan<char> traceparent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var text = traceparent.Trim();
        if (!EcsFields.IsTraceparent(text))
        {
            return;
        }

        writer.Raw(",\"trace\":{\"id\":"u8);
        writer.Text(text.Slice(3, 32));
        writer.Raw("},\"span\":{\"id\":"u8);
        writer.Text(text.Slice(36, 16));
        writer.Raw("}"u8);
    }

    /// <summary>Writes <c>"object":{"member":value}</c> when <paramref name="value"/> is not null; <paramref name="open"/> is <c>,"object":{"member":</c>.</summary>
    public static void WriteInObject(AuditRecordWriter writer, ReadOnlySpan<byte> open, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is not null)
        {
            writer.Member(open, value);
            writer.Raw("}"u8);
        }
    }

    /// <summary>Writes a member name whose fragment starts with a comma, without it for an object's first member.</summary>
    public static void Name(AuditRecordWriter writer, ref bool first, ReadOnlySpan<byte> commaName)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Raw(first ? commaName[1..] : commaName);
        first = false;
    }
}
