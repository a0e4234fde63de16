using System.ComponentModel.DataAnnotations;

namespace EnvoyGovern.ExtProc.Inspection.Bodies;

/// <summary>Service-wide bounds on body inspection (section <c>Bodies</c>); policy may set lower limits per host.</summary>
public sealed class BodyOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Bodies";

    /// <summary>16 MiB: far above any model request, well below what would strain the service.</summary>
    public const long DefaultMaxDecodedBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The most bytes one body may hold once decoded, when an inspector looks at it: a decompression bomb
    /// stops here. Larger request bodies get 413.
    /// </summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxDecodedBytes { get; set; } = DefaultMaxDecodedBytes;
}
