using System.Text;

namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>
/// Base64 and hex runs in caller text that decode to readable text: instructions smuggled past a reader
/// (and past phrase rules) in an encoding the model decodes on request. Bounded: at most
/// <see cref="MaxPayloads"/> runs of at most <see cref="MaxRun"/> characters are decoded.
/// </summary>
internal static class EncodedPayloads
{
    public const int MaxPayloads = 16;
    public const int MaxRun = 16 * 1024;
    private const int MinBase64 = 24;
    private const int MinHex = 32;
    private static readonly System.Buffers.SearchValues<char> Base64Characters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_");

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    public static IEnumerable<(int Offset, string Text)> Decode(string text)
    {
        // A run shorter than MinBase64 (its '=' padding, at most two, included) is never decoded, so only runs
        // of at least MinBody characters matter, and each of them covers the character MinBody - 1 after any
        // place it can start: probing there skips prose (where nearly every word is a run, and a search per
        // word cost more than the rest of the detector) without reading most of its characters.
        // Invariant: text[i - 1], if any, is not a base64 character, so no run starts before i.
        const int MinBody = MinBase64 - 2;
        var found = 0;
        var i = 0;
        while (found < MaxPayloads && i + MinBody - 1 < text.Length)
        {
            var probe = i + MinBody - 1;
            if (!Base64Characters.Contains(text[probe]))
            {
                i = probe + 1;
                continue;
            }

            var start = probe;
            while (start > i && Base64Characters.Contains(text[start - 1]))
            {
                start--;
            }

            var end = probe + 1;
            while (end < text.Length && Base64Characters.Contains(text[end]))
            {
                end++;
            }

            var padded = end;
            while (padded < text.Length && text[padded] == '=' && padded - end < 2)
            {
                padded++;
            }

            i = padded > end ? padded : end + 1;
            var run = text.AsSpan(start, Math.Min(padded - start, MaxRun));
            if (Decoded(run) is { } decoded)
            {
                found++;
                yield return (start, decoded);
            }
        }
    }

    private static string? Decoded(ReadOnlySpan<char> run)
    {
        // Shorter than either encoding's minimum (hex needs more than base64): the common word.
        if (run.Length < MinBase64)
        {
            return null;
        }

        var digitsOnly = run.IndexOfAnyExcept(HexDigits) < 0;
        if (digitsOnly && run.Length >= MinHex && run.Length % 2 == 0)
        {
            return Readable(Convert.FromHexString(run));
        }

        if (run.Length < MinBase64 || digitsOnly)
        {
            return null;
        }

        // Unpadded and URL-safe base64 are common in prompts; both decode here.
        var standard = run.ToString().Replace('-', '+').Replace('_', '/');
        var padded = standard.Length % 4 == 0 ? standard : standard + new string('=', 4 - (standard.Length % 4));
        var bytes = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, bytes, out var written) ? Readable(bytes.AsSpan(0, written)) : null;
    }

    // Mostly printable UTF-8 with some spaces: text, not a hash, key or image.
    private static string? Readable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes);
        var printable = text.Count(c => !char.IsControl(c) || c is '\n' or '\r' or '\t');
        var spaces = text.Count(c => c == ' ');
        return printable >= text.Length * 0.95 && spaces >= text.Length / 20 ? text : null;
    }
}
