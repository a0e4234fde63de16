using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// Every transformation gives exactly the results it gave before the allocation-free rewrite: the digests below
/// were computed with the earlier StringBuilder implementations (checked against ModSecurity's semantics by
/// <see cref="TransformationTests"/> and the CRS regression suite) over <see cref="TransformationCorpus"/>, so a
/// change of any single result in the corpus fails the test.
/// </summary>
public sealed class TransformationCorpusTests
{
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["lowercase"] = "9E1702DBA14C7F30",
        ["uppercase"] = "8BAB9E2E792FE190",
        ["urlDecode"] = "95A5D0B5067181A6",
        ["urlDecodeUni"] = "F74829BDA09AC19D",
        ["htmlEntityDecode"] = "5B6B40F70F35A59C",
        ["jsDecode"] = "5B68C78BC8AEEF9E",
        ["cssDecode"] = "E576699F3E403F61",
        ["escapeSeqDecode"] = "F06223F58078A9CD",
        ["utf8toUnicode"] = "A655089EA7B7F3D1",
        ["base64Decode"] = "66980F67B4FC6CB9",
        ["base64DecodeExt"] = "02BDC564361C67DD",
        ["hexDecode"] = "7B3DE2F281A1C122",
        ["sqlHexDecode"] = "85B2C746A7EAABAB",
        ["cmdLine"] = "7933B18B5BBDA1E7",
        ["compressWhitespace"] = "E7033ED0B88389CD",
        ["removeWhitespace"] = "A2E20CED7A4806B4",
        ["removeNulls"] = "99B55A5BF76274B6",
        ["replaceNulls"] = "AD23E5538A985F91",
        ["replaceComments"] = "81273BAA82877A34",
        ["removeCommentsChar"] = "31391984F29D767B",
        ["removeComments"] = "556AC3119DF6FBDF",
        ["normalizePath"] = "D044FF0CD2EDCDF8",
        ["normalizePathWin"] = "02B34067E6300068",
        ["trim"] = "117D1EB09AEDB004",
        ["trimLeft"] = "571D35E40C1FD443",
        ["trimRight"] = "E8AF6C8BEB71E2F5",
        ["length"] = "187C882361279BBD",
        ["hexEncode"] = "21A8B9618083BA73",
        ["urlEncode"] = "B91853139926BA13",
        ["sha1"] = "34611E01A7AD6EF7",
        ["md5"] = "06098C84CB5088D4",
    };

    [Fact]
    public void Transforms_RegressionCorpus_SameResultsAsBeforeRewrite()
    {
        Assert.True(TransformationCorpus.Inputs.Count > 10_000, $"corpus of {TransformationCorpus.Inputs.Count} inputs");
        var actual = TransformationCorpus.Names.ToDictionary(n => n, TransformationCorpus.Digest);
        var mismatches = actual.Where(p => Expected.GetValueOrDefault(p.Key) != p.Value).Select(p => $"[\"{p.Key}\"] = \"{p.Value}\",").ToList();
        Assert.True(mismatches.Count == 0, "changed results (digest now):\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public void Transforms_UnchangedValue_ReturnTheInputInstance()
    {
        // length, sha1 and md5 compute a new value that can only equal the input by coincidence.
        var failures = new List<string>();
        foreach (var name in TransformationCorpus.Names.Except(["length", "sha1", "md5"]))
        {
            Assert.True(Transforms.TryGet(name, out var transform));
            foreach (var input in TransformationCorpus.Inputs)
            {
                var output = transform(input);
                if (output == input && !ReferenceEquals(output, input))
                {
                    failures.Add($"{name}: {input}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
    }
}
