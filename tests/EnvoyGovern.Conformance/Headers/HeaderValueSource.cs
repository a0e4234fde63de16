namespace EnvoyGovern.Conformance.Headers;

/// <summary>Which field of a <c>HeaderValue</c> the Envoy filter reads in a mutation.</summary>
public enum HeaderValueSource
{
    /// <summary>ext_authz reads <c>value</c> only (it moves <c>header.value</c> into the mutation).</summary>
    Value,

    /// <summary>
    /// ext_proc reads <c>raw_value</c> only while the runtime flag
    /// <c>envoy.reloadable_features.send_header_raw_value</c> is on (the default).
    /// </summary>
    RawValue,
}
