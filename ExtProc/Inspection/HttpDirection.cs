namespace EnvoyGovern.ExtProc.Inspection;

/// <summary>Which half of the HTTP exchange a message belongs to.</summary>
public enum HttpDirection
{
    /// <summary>Client to upstream.</summary>
    Request = 0,

    /// <summary>Upstream to client.</summary>
    Response = 1,
}
