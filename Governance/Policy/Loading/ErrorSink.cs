namespace EnvoyGovern.Governance.Policy.Loading;

/// <summary>Collects errors for one document, placing each at the YAML position of its path.</summary>
internal sealed class ErrorSink(SourceDocument document, ICollection<PolicyError> errors)
{
    public int Count { get; private set; }

    public void Add(string pointer, string message)
    {
        var (line, column) = document.PositionOf(pointer);
        errors.Add(new PolicyError(document.File, line, column, pointer, message));
        Count++;
    }
}
