namespace EnvoyGovern.EnvoyConfig.Tests;

/// <summary>Validates a copy of a bootstrap file with the first occurrence of one text replaced.</summary>
internal static class BrokenCopy
{
    public static IReadOnlyList<string> ValidateBootstrap(string path, string from, string to)
    {
        var original = File.ReadAllText(path);
        Assert.Contains(from, original, StringComparison.Ordinal);
        var copy = Path.Combine(Path.GetTempPath(), $"envoy-{Guid.NewGuid():N}.yaml");
        var at = original.IndexOf(from, StringComparison.Ordinal);
        File.WriteAllText(copy, string.Concat(original.AsSpan(0, at), to, original.AsSpan(at + from.Length)));
        try
        {
            return EnvoyYamlValidator.ValidateBootstrap(copy);
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
