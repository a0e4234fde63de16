namespace EnvoyGovern.ExtProc.Inspection.Bodies;

/// <summary>What a body is, from its <c>content-type</c>: the formats the content inspectors read.</summary>
public enum BodyKind
{
    /// <summary>No <c>content-type</c>, or one no inspector reads (or a charset other than UTF-8).</summary>
    Other = 0,

    /// <summary><c>application/json</c> and <c>*/*+json</c>.</summary>
    Json,

    /// <summary><c>text/event-stream</c> (server-sent events, streamed model answers).</summary>
    EventStream,

    /// <summary><c>application/x-www-form-urlencoded</c>.</summary>
    Form,

    /// <summary>Other <c>text/*</c> types.</summary>
    Text,
}

/// <summary>Reads a <c>content-type</c> header value.</summary>
public static class MediaTypes
{
    /// <summary>The media type without parameters, lower-case; null when absent.</summary>
    public static string? Essence(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var essence = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return essence.Length == 0 ? null : essence.ToLowerInvariant();
    }

    /// <summary>The kind of body a <c>content-type</c> announces.</summary>
    public static BodyKind Classify(string? contentType)
    {
        var essence = Essence(contentType);
        if (essence is null || !CharsetIsUtf8(contentType!))
        {
            return BodyKind.Other;
        }

        if (essence == "application/json" || essence.EndsWith("+json", StringComparison.Ordinal))
        {
            return BodyKind.Json;
        }

        return essence switch
        {
            "text/event-stream" => BodyKind.EventStream,
            "application/x-www-form-urlencoded" => BodyKind.Form,
            _ when essence.StartsWith("text/", StringComparison.Ordinal) => BodyKind.Text,
            _ => BodyKind.Other,
        };
    }

    // Scanners read UTF-8; a body in another charset would be read wrongly, so it counts as unknown.
    private static bool CharsetIsUtf8(string contentType)
    {
        foreach (var range in contentType.AsSpan().Split(';'))
        {
            var parameter = contentType.AsSpan()[range].Trim();
            if (!parameter.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var charset = parameter["charset=".Length..].Trim().Trim('"');
            return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
                || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase);
        }

        return true;
    }
}
