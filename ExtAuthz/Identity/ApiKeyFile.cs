using EnvoyGovern.Governance.Policy.Model;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// Reads a <c>keysFile</c>: a YAML list shaped like the policy's <c>keys</c>, typically a mounted
/// Secret. Read once when the policy is compiled, so a broken file fails the policy, not requests.
/// </summary>
internal static class ApiKeyFile
{
    // Unknown fields fail (YamlDotNet's default), so a typo such as "sha265" is reported, not ignored.
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static IReadOnlyList<ApiKeySpec> Load(string file, IdentitySourceContext context, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(context.ResolveFile(file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PolicyCompilationException(path, $"cannot read keys file '{file}': {ex.Message}", ex);
        }

        List<Entry>? entries;
        try
        {
            entries = Deserializer.Deserialize<List<Entry>?>(text);
        }
        catch (YamlException ex)
        {
            // The message names line and column only; YamlDotNet does not quote the document.
            throw new PolicyCompilationException(path, $"keys file '{file}' is not a YAML list of keys: {ex.Start}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        return entries is null ? [] : [.. entries.Select(e => e.ToSpec())];
    }

    /// <summary>Mutable twin of <see cref="ApiKeySpec"/>, which YamlDotNet can fill.</summary>
    private sealed class Entry
    {
        public string Id { get; set; } = string.Empty;

        public string Sha256 { get; set; } = string.Empty;

        public string Tenant { get; set; } = string.Empty;

        public string? Subject { get; set; }

        public List<string> Groups { get; set; } = [];

        public ApiKeySpec ToSpec() => new() { Id = Id, Sha256 = Sha256, Tenant = Tenant, Subject = Subject, Groups = Groups };
    }
}
