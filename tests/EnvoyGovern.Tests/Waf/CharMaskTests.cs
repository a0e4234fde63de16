using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.Tests.Waf;

/// <summary><see cref="CharMask.Of"/> (branch-free per char) against a plain per-char reference.</summary>
public sealed class CharMaskTests
{
    [Fact]
    public void Of_RegressionCorpusAndEveryAsciiChar_SameAsReference()
    {
        var inputs = TransformationCorpus.Inputs.ToList();
        for (var c = 0; c < 260; c++)
        {
            inputs.Add(new string((char)c, 1));
            inputs.Add("a" + (char)c + " b");
        }

        foreach (var input in inputs)
        {
            Assert.Equal(Reference(input), CharMask.Of(input));
        }
    }

    [Theory]
    [InlineData("", 1UL, 0UL)]
    [InlineData("?@", (1UL << 63) | 1, 1UL)]
    [InlineData("\u007f", 1UL, 1UL << 63)]
    public void Of_Edges_BitsOfBothHalves(string value, ulong lo, ulong hi)
    {
        Assert.Equal(new CharMask(lo, hi), CharMask.Of(value));
    }

    [Fact]
    public void Of_NonAsciiChar_All()
    {
        Assert.Equal(CharMask.All, CharMask.Of("abc\u0080"));
        Assert.Equal(CharMask.All, CharMask.Of("\u00ff"));
    }

    private static CharMask Reference(string value)
    {
        ulong lo = 1;
        ulong hi = 0;
        foreach (var c in value)
        {
            if (c >= 128)
            {
                return CharMask.All;
            }

            if (c < 64)
            {
                lo |= 1UL << c;
            }
            else
            {
                hi |= 1UL << (c - 64);
            }
        }

        return new CharMask(lo, hi);
    }
}
