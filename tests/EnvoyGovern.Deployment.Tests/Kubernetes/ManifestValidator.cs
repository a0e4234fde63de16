namespace EnvoyGovern.Deployment.Tests.Kubernetes;

/// <summary>Validates any manifest: built-in kinds by <see cref="CoreKinds"/>, custom resources by <see cref="SchemaCatalog"/>.</summary>
internal static class ManifestValidator
{
    public static IReadOnlyList<string> Validate(Manifest manifest)
    {
        if (manifest.ApiVersion.Length == 0 || manifest.Kind.Length == 0)
        {
            return [$"{manifest}: apiVersion and kind are required"];
        }

        return CoreKinds.Contains(manifest.ApiVersion, manifest.Kind)
            ? CoreKinds.Validate(manifest)
            : SchemaCatalog.Instance.Validate(manifest);
    }

    public static IReadOnlyList<string> ValidateAll(IEnumerable<Manifest> manifests) => [.. manifests.SelectMany(Validate)];
}
