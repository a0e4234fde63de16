namespace EnvoyGovern.ExtProc.Pii;

/// <summary>Byte classes the scanners test, from one table (one load per test, no branches on ranges).</summary>
internal static class Ascii
{
    private const byte DigitFlag = 1;
    private const byte LetterFlag = 2;
    private const byte UpperFlag = 4;
    private const byte HexFlag = 8;
    private const byte LocalFlag = 16;
    private const byte LabelFlag = 32;

    private static readonly byte[] Classes = Build();

    public static bool IsDigit(byte b) => (Classes[b] & DigitFlag) != 0;

    public static bool IsUpper(byte b) => (Classes[b] & UpperFlag) != 0;

    public static bool IsAlnum(byte b) => (Classes[b] & (DigitFlag | LetterFlag)) != 0;

    public static bool IsHex(byte b) => (Classes[b] & HexFlag) != 0;

    /// <summary>A character of an email address's local part (the common unquoted form).</summary>
    public static bool IsLocal(byte b) => (Classes[b] & LocalFlag) != 0;

    /// <summary>A character of a domain label.</summary>
    public static bool IsLabel(byte b) => (Classes[b] & LabelFlag) != 0;

    /// <summary>
    /// True when <paramref name="b"/> may touch an entity's edge: not a letter, digit or underscore,
    /// and not a byte of a multi-byte UTF-8 character (a letter in another script).
    /// </summary>
    public static bool IsBoundary(byte b) => (Classes[b] & (DigitFlag | LetterFlag)) == 0 && b != '_' && b < 0x80;

    private static byte[] Build()
    {
        var table = new byte[256];
        for (var c = '0'; c <= '9'; c++)
        {
            table[c] = DigitFlag | HexFlag | LocalFlag | LabelFlag;
        }

        for (var c = 'a'; c <= 'z'; c++)
        {
            table[c] = LetterFlag | LocalFlag | LabelFlag;
            table[c - 32] = LetterFlag | UpperFlag | LocalFlag | LabelFlag;
        }

        for (var c = 'a'; c <= 'f'; c++)
        {
            table[c] |= HexFlag;
            table[c - 32] |= HexFlag;
        }

        foreach (var c in "._%+-")
        {
            table[c] |= LocalFlag;
        }

        table['-'] |= LabelFlag;
        return table;
    }
}
