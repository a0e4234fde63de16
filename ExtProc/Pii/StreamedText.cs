using System.Buffers;
using EnvoyGovern.Governance.Policy.Model;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>
/// One text a streamed answer sends in pieces (the <c>delta.content</c> of a choice, a tool call's
/// arguments): the pieces joined, scanned as one text, so an entity split across events is found. Text
/// is decided up to <see cref="Decided"/>; an event may go out once all its pieces lie before that.
/// </summary>
internal sealed class StreamedText(string location)
{
    // Text kept before the first undecided byte: enough for a scanner to see an entity's left edge.
    private const int Lookback = 128;
    private const int CompactAfter = 1024;

    private readonly ArrayBufferWriter<byte> _text = new();
    private readonly List<PiiMatch> _matches = [];
    private readonly List<PiiMatch> _scratch = [];

    // Absolute offset (in the whole streamed text) of _text[0].
    private long _base;

    public string Location { get; } = location;

    /// <summary>Absolute offset before which nothing can change any more.</summary>
    public long Decided { get; private set; }

    /// <summary>Absolute offset of the end of the text received.</summary>
    public long End => _base + _text.WrittenCount;

    /// <summary>Appends a piece; returns its absolute start.</summary>
    public long Append(ReadOnlySpan<byte> piece)
    {
        var start = End;
        _text.Write(piece);
        return start;
    }

    /// <summary>Scans what is undecided; reports each newly decided entity. <paramref name="final"/>: the text is complete.</summary>
    public void Scan(PiiFindings findings, bool final)
    {
        _scratch.Clear();
        var pending = _base + findings.Settings.Scanner.Scan(_text.WrittenSpan, _scratch, final);
        foreach (var match in _scratch)
        {
            if (_base + match.End <= Decided)
            {
                // Decided (and reported) by an earlier scan.
                continue;
            }

            findings.Report(match, Location, (int)_base);
            if (findings.Settings.ActionFor(match) == PiiAction.Redact)
            {
                // An entity should never begin in text already decided; if one did, what is not yet
                // out is still masked rather than let through.
                _matches.Add(new PiiMatch((int)Math.Max(_base + match.Start, Decided), (int)(_base + match.End), match.Entity, match.Pattern));
            }
        }

        Decided = Math.Max(Decided, pending);
    }

    /// <summary>Writes the piece [<paramref name="start"/>, <paramref name="end"/>) with redactions; false when it is unchanged.</summary>
    public bool Render(long start, long end, PiiSettings settings, ArrayBufferWriter<byte> output)
    {
        var changed = false;
        var position = start;
        foreach (var match in _matches)
        {
            if (match.End <= start || match.Start >= end)
            {
                continue;
            }

            changed = true;
            if (match.Start >= start)
            {
                output.Write(Slice(position, match.Start));
                output.Write(settings.MaskFor(match));
            }

            // An entity that began in an earlier piece was masked there; its rest here is dropped.
            position = Math.Max(position, Math.Min(match.End, end));
        }

        if (changed)
        {
            output.Write(Slice(position, end));
        }

        return changed;
    }

    /// <summary>Forgets text and entities before <paramref name="released"/> (every piece before it went out).</summary>
    public void Release(long released)
    {
        _matches.RemoveAll(m => m.End <= released);
        var drop = released - Lookback - _base;
        if (drop < CompactAfter)
        {
            return;
        }

        var keep = _text.WrittenSpan[(int)drop..].ToArray();
        _text.ResetWrittenCount();
        _text.Write(keep);
        _base += drop;
    }

    private ReadOnlySpan<byte> Slice(long from, long to) => _text.WrittenSpan[(int)(from - _base)..(int)(to - _base)];
}
