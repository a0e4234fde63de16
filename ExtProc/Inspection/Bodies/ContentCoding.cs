namespace EnvoyGovern.ExtProc.Inspection.Bodies;

/// <summary>The <c>content-encoding</c> of a body, as far as inspection is concerned.</summary>
public enum ContentCoding
{
    /// <summary>No encoding (absent, or <c>identity</c>).</summary>
    Identity = 0,

    /// <summary><c>gzip</c> (or <c>x-gzip</c>).</summary>
    Gzip,

    /// <summary><c>deflate</c>: zlib-wrapped as HTTP specifies, raw deflate also read.</summary>
    Deflate,

    /// <summary><c>br</c> (Brotli).</summary>
    Brotli,

    /// <summary>Anything else, or several codings stacked: the body cannot be decoded for inspection.</summary>
    Unsupported,
}

/// <summary>Reads a <c>content-encoding</c> header value.</summary>
public static class ContentCodings
{
    /// <summary>The coding a header value names; several non-identity codings are <see cref="ContentCoding.Unsupported"/>.</summary>
    public static ContentCoding Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ContentCoding.Identity;
        }

        var result = ContentCoding.Identity;
        foreach (var range in value.AsSpan().Split(','))
        {
            var coding = One(value.AsSpan()[range].Trim());
            if (coding == ContentCoding.Identity)
            {
                continue;
            }

            // Stacked codings (deflate, gzip) are legal but never seen from real clients; refusing to
            // guess keeps a double-encoded body from passing undecoded.
            if (result != ContentCoding.Identity)
            {
                return ContentCoding.Unsupported;
            }

            result = coding;
        }

        return result;
    }

    private static ContentCoding One(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return ContentCoding.Identity;
        }

        if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            return ContentCoding.Gzip;
        }

        if (name.Equals("deflate", StringComparison.OrdinalIgnoreCase))
        {
            return ContentCoding.Deflate;
        }

        return name.Equals("br", StringComparison.OrdinalIgnoreCase) ? ContentCoding.Brotli : ContentCoding.Unsupported;
    }
}
