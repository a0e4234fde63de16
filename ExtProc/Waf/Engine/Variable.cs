namespace EnvoyGovern.ExtProc.Waf.Engine;

/// <summary>The SecLang variables the engine fills. Scalars hold one entry with an empty key.</summary>
internal enum Variable : byte
{
    Args,
    ArgsGet,
    ArgsPost,
    ArgsNames,
    ArgsGetNames,
    ArgsPostNames,
    ArgsCombinedSize,
    RequestHeaders,
    RequestHeadersNames,
    RequestCookies,
    RequestCookiesNames,
    RequestUri,
    RequestUriRaw,
    RequestFilename,
    RequestBasename,
    QueryString,
    RequestLine,
    RequestMethod,
    RequestProtocol,
    RequestBody,
    RequestBodyLength,
    ReqbodyProcessor,
    ReqbodyError,
    ReqbodyErrorMsg,
    Files,
    FilesNames,
    FilesSizes,
    FilesCombinedSize,
    FilesTmpNames,
    MultipartPartHeaders,
    MultipartFilename,
    MultipartName,
    Xml,
    Tx,
    Env,
    Ip,
    Global,
    Session,
    User,
    Resource,
    MatchedVar,
    MatchedVarName,
    MatchedVars,
    MatchedVarsNames,
    ResponseHeaders,
    ResponseHeadersNames,
    ResponseBody,
    ResponseStatus,
    ResponseProtocol,
    ResponseContentType,
    ResponseContentLength,
    RemoteAddr,
    RemotePort,
    ServerName,
    ServerAddr,
    ServerPort,
    UniqueId,
    Duration,
    FullRequest,
    FullRequestLength,
    StatusLine,
    HighestSeverity,
    UrlencodedError,
    InboundDataError,
    OutboundDataError,
    AuthType,
    Time,
    TimeEpoch,
    WebserverErrorLog,
    Rule,

    /// <summary>Flags and counters the body processors set (MULTIPART_STRICT_ERROR and friends), by name.</summary>
    Flags,
}

/// <summary>Names, kinds and lookups of <see cref="Variable"/>.</summary>
internal static class Variables
{
    public const int Count = (int)Variable.Flags + 1;

    private static readonly Dictionary<string, Variable> ByName = Build();

    // Variables that take ":key" selectors and hold many entries.
    private static readonly HashSet<Variable> Collections =
    [
        Variable.Args, Variable.ArgsGet, Variable.ArgsPost, Variable.ArgsNames, Variable.ArgsGetNames, Variable.ArgsPostNames,
        Variable.RequestHeaders, Variable.RequestHeadersNames, Variable.RequestCookies, Variable.RequestCookiesNames,
        Variable.Files, Variable.FilesNames, Variable.FilesSizes, Variable.FilesTmpNames, Variable.MultipartPartHeaders,
        Variable.Xml, Variable.Tx, Variable.Env, Variable.Ip, Variable.Global, Variable.Session, Variable.User, Variable.Resource,
        Variable.MatchedVars, Variable.MatchedVarsNames, Variable.ResponseHeaders, Variable.ResponseHeadersNames, Variable.Rule,
        Variable.MultipartFilename, Variable.MultipartName,
    ];

    // The flags the multipart parser may raise; they read as 0 until it does.
    public static readonly string[] MultipartFlags =
    [
        "MULTIPART_STRICT_ERROR", "MULTIPART_UNMATCHED_BOUNDARY", "MULTIPART_BOUNDARY_QUOTED", "MULTIPART_BOUNDARY_WHITESPACE",
        "MULTIPART_DATA_BEFORE", "MULTIPART_DATA_AFTER", "MULTIPART_HEADER_FOLDING", "MULTIPART_LF_LINE", "MULTIPART_CRLF_LF_LINES",
        "MULTIPART_MISSING_SEMICOLON", "MULTIPART_INVALID_QUOTING", "MULTIPART_INVALID_PART", "MULTIPART_INVALID_HEADER_FOLDING",
        "MULTIPART_FILE_LIMIT_EXCEEDED", "REQBODY_PROCESSOR_ERROR", "REQBODY_PROCESSOR_ERROR_MSG", "RESPONSE_BODY_LENGTH",
        "MSC_PCRE_LIMITS_EXCEEDED", "REQUEST_BODY_ERROR",
    ];

    public static bool TryParse(string name, out Variable variable, out string? flagName)
    {
        flagName = null;
        if (ByName.TryGetValue(name, out variable))
        {
            return true;
        }

        foreach (var flag in MultipartFlags)
        {
            if (string.Equals(flag, name, StringComparison.OrdinalIgnoreCase))
            {
                variable = Variable.Flags;
                flagName = flag;
                return true;
            }
        }

        return false;
    }

    public static bool IsCollection(Variable variable) => Collections.Contains(variable);

    public static string Name(Variable variable) => Names[(int)variable];

    private static readonly string[] Names = BuildNames();

    private static string[] BuildNames()
    {
        var names = new string[Count];
        foreach (var (name, value) in Build())
        {
            names[(int)value] ??= name;
        }

        names[(int)Variable.Flags] = "FLAGS";
        return names;
    }

    private static Dictionary<string, Variable> Build()
    {
        var map = new Dictionary<string, Variable>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in Enum.GetValues<Variable>())
        {
            if (value == Variable.Flags)
            {
                continue;
            }

            map[ToSecLang(value.ToString())] = value;
        }

        map["REQBODY_PROCESSOR_ERROR"] = Variable.ReqbodyError;
        map["REQBODY_PROCESSOR_ERROR_MSG"] = Variable.ReqbodyErrorMsg;
        map["FILES_TMPNAMES"] = Variable.FilesTmpNames;
        map["XML"] = Variable.Xml;
        map["TX"] = Variable.Tx;
        return map;
    }

    // ArgsGetNames -> ARGS_GET_NAMES
    private static string ToSecLang(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(pascal[i]));
        }

        return builder.ToString();
    }
}
