using EnvoyGovern.ExtProc.Waf.Detection;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// The char gate of <c>@detectXSS</c> (a value without '&lt;' and '=' cannot match, so the engine skips it on the
/// value's cached char mask): a rejected value the detector reports would hide an attack. The CRS regression suite's
/// prefilter audit checks the same on every value the suite's requests produce.
/// </summary>
public sealed class DetectionGateTests
{
    private const string GateChars = "<=";

    [Theory]
    [InlineData("lorem ipsum dolor sit amet", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("x onerror=alert(1)", true)]
    [InlineData("<script>", true)]
    [InlineData("caf\u00e9", true)]
    public void DetectXssGate_Value_RejectsOnlyWithoutLtOrEquals(string value, bool mayMatch)
    {
        var gate = new DetectXssOperator().Gate;

        Assert.NotNull(gate);
        Assert.Equal(mayMatch, gate.MayMatch(CharMask.Of(value)));
    }

    [Fact]
    public void IsXss_RegressionCorpusAfterEachTransformation_EveryDetectionHoldsLtOrEquals()
    {
        var detections = 0;
        foreach (var name in TransformationCorpus.Names)
        {
            Assert.True(Transforms.TryGet(name, out var transform), name);
            foreach (var input in TransformationCorpus.Inputs)
            {
                var value = transform(input);
                if (XssDetector.IsXss(value))
                {
                    detections++;
                    Assert.True(value.AsSpan().ContainsAny(GateChars), $"{name}: {value}");
                }
            }
        }

        // The corpus holds the CRS's XSS payloads: a gate test that met no detection would prove nothing.
        Assert.True(detections > 1_000, $"{detections} detections");
    }

    [Fact]
    public void IsXss_RandomHtmlLikeValuesWithoutLtOrEquals_NeverDetected()
    {
        string[] pieces =
        [
            "script", "onerror", "onload", "style", "href", "src", "javascript:", "vbscript:", "srcdoc", "xmlns", "xlink:href",
            "iframe", "svg", "!--", "[if", "doctype", "?xml", ">", "/", " ", "\t", "\n", "'", "\"", "`", "(", ")", ":", "a", "1",
        ];
        var random = new Random(6);
        var withLt = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var parts = new string[random.Next(1, 12)];
            for (var p = 0; p < parts.Length; p++)
            {
                parts[p] = pieces[random.Next(pieces.Length)];
            }

            var value = string.Concat(parts);
            Assert.False(XssDetector.IsXss(value), value);
            if (XssDetector.IsXss("<" + value))
            {
                withLt++;
            }
        }

        // The same values after a '<' are often tags the detector reports: the pieces reach its dangerous paths.
        Assert.True(withLt > 1_000, $"{withLt} detections with a '<'");
    }
}
