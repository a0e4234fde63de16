using System.Buffers;
using System.Runtime.CompilerServices;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>
/// A transformation's result written into a buffer on the stack (a pooled array past it, a plain one past 16K chars),
/// then one string: for the transformations that run on most values (whitespace removal, Base64 and URL decoding before
/// 934100 and 934160's later stages), a builder's per-char checks and the thread-static builder's hand-over cost more
/// than the work.
/// </summary>
internal ref struct CharWriter
{
    /// <summary>Chars a caller's stack buffer should hold; longer results go to an array (see the constructor).</summary>
    public const int StackChars = 128;

    // Past this a buffer is allocated and left to the collector: the shared pool would keep one huge request's arrays
    // (as TransformBuilder drops a builder grown past the same size).
    private const int PooledChars = 16 * 1024;

    private Span<char> _chars;
    private char[]? _rented;
    private int _length;

    /// <param name="stack">The caller's stack buffer.</param>
    /// <param name="capacity">The most chars the result can have.</param>
    public CharWriter(Span<char> stack, int capacity)
    {
        _rented = capacity > stack.Length && capacity <= PooledChars ? ArrayPool<char>.Shared.Rent(capacity) : null;
        _chars = _rented ?? (capacity > stack.Length ? new char[capacity] : stack);
        _length = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(char c) => _chars[_length++] = c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(ReadOnlySpan<char> chars)
    {
        chars.CopyTo(_chars[_length..]);
        _length += chars.Length;
    }

    /// <summary>
    /// The written text, or <paramref name="input"/> itself when they are equal (as <see cref="TransformBuilder.Return"/>
    /// does: the engine then shares the input's cached mask). Gives a pooled array back.
    /// </summary>
    public string ToStringAndDispose(string input)
    {
        var written = _chars[.._length];
        var result = written.SequenceEqual(input) ? input : new string(written);
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
        }

        return result;
    }
}
