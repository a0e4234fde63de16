using System.Text;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>
/// The one builder per thread that the transformations write their results into, so a transformation that changes
/// a value allocates its result string only, not a builder and its buffer per call (a POST's hundreds of values
/// through the CRS's pipelines made those a third of the WAF's garbage). Transformations do not nest: each gives the
/// builder back before the next takes it; one that finds it taken gets a new one.
/// </summary>
internal static class TransformBuilder
{
    // A builder grown past this by one huge value is dropped rather than kept per thread.
    private const int KeepChars = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    /// <summary>An empty builder with room for <paramref name="capacity"/> chars.</summary>
    public static StringBuilder Rent(int capacity)
    {
        var builder = t_cached;
        if (builder is null)
        {
            return new StringBuilder(Math.Max(capacity, 16));
        }

        t_cached = null;
        builder.Clear();
        builder.EnsureCapacity(capacity);
        return builder;
    }

    /// <summary>
    /// The builder's text, or <paramref name="input"/> itself when the text equals it (a decoder that found only
    /// invalid escapes, for example): the engine then shares the input's cached char mask and allocates nothing.
    /// </summary>
    public static string Return(StringBuilder builder, string input)
    {
        var result = builder.Equals(input.AsSpan()) ? input : builder.ToString();
        if (builder.Capacity <= KeepChars)
        {
            t_cached = builder;
        }

        return result;
    }
}
