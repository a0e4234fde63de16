using System.Buffers;
using System.Globalization;
using System.Text;
using EnvoyGovern.ExtProc.Waf.Bodies;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.ExtProc.Waf.Engine;

internal sealed partial class WafTransaction
{
    private ArrayBufferWriter<byte>? _requestBody;
    private ArrayBufferWriter<byte>? _responseBody;
    private bool _requestBodyTruncated;
    private XmlBody? _xml;

    /// <summary>
    /// Fills the request variables from what Envoy delivers (method, <c>:path</c>, headers with
    /// <c>:authority</c> as <c>host</c>) and runs phase 1. Header names and values are Latin-1 text.
    /// </summary>
    public void ProcessRequestHeaders(RequestLine line, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(line);
        var uri = line.Uri;
        Scalar(Variable.RequestMethod, line.Method);
        Scalar(Variable.RequestProtocol, line.Protocol);
        Scalar(Variable.RequestUri, uri);
        Scalar(Variable.RequestUriRaw, uri);
        var question = uri.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? uri : uri[..question];
        var query = question < 0 ? string.Empty : uri[(question + 1)..];
        Scalar(Variable.RequestFilename, path);
        Scalar(Variable.QueryString, query);
        Scalar(Variable.RemoteAddr, line.RemoteAddress);
        Scalar(Variable.ServerAddr, line.ServerAddress);
        // REQUEST_LINE, REQUEST_BASENAME, REMOTE_PORT and SERVER_PORT: made when a rule reads them.
        DeferRequestLine(line, path);
        Scalar(Variable.RequestBodyLength, "0");
        FormBodies.ParseUrlEncoded(query, this, Variable.ArgsGet, Variable.ArgsGetNames);

        var names = _collections[(int)Variable.RequestHeadersNames];
        var all = _collections[(int)Variable.RequestHeaders];
        // By index: an interface's enumerator is an allocation per exchange.
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            all.Add(name, value);
            names.Add(name, name);
            if (string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase))
            {
                ParseCookies(value);
            }
            else if (string.Equals(name, "host", StringComparison.OrdinalIgnoreCase))
            {
                Scalar(Variable.ServerName, value);
            }
        }

        // Known before phase 1, as ModSecurity's recommended rules set it from Content-Type in phase 1.
        Scalar(Variable.ReqbodyProcessor, BodyProcessorFor(all.Get("content-type") ?? string.Empty) ?? string.Empty);
        RebuildArgs();
        RunPhase(1);
    }

    /// <summary>Buffers a request body chunk, up to the ruleset's limit.</summary>
    public void AppendRequestBody(ReadOnlySpan<byte> chunk)
    {
        _requestBody ??= new ArrayBufferWriter<byte>();
        var room = RuleSet.Settings.RequestBodyLimit - _requestBody.WrittenCount;
        if (chunk.Length > room)
        {
            _requestBodyTruncated = true;
            chunk = chunk[..(int)Math.Max(0, room)];
        }

        _requestBody.Write(chunk);
    }

    /// <summary>Parses the buffered body with the selected processor and runs phase 2.</summary>
    public void ProcessRequestBody()
    {
        if (Interruption is not null || Mode == RuleEngineMode.Off)
        {
            return;
        }

        if (_requestBodyTruncated && RuleSet.Settings.RequestBodyLimitReject && Mode == RuleEngineMode.On)
        {
            Interruption = new Interruption(413, null, "request body above SecRequestBodyLimit");
            return;
        }

        var body = _requestBody is null ? ReadOnlySpan<byte>.Empty : _requestBody.WrittenSpan;
        if (RequestBodyAccess && body.Length > 0)
        {
            ProcessBody(body);
        }

        RunPhase(2);
    }

    private void ProcessBody(ReadOnlySpan<byte> body)
    {
        var contentType = _collections[(int)Variable.RequestHeaders].Get("content-type") ?? string.Empty;
        var selected = _collections[(int)Variable.ReqbodyProcessor][0].Value;
        var processor = selected.Length == 0 ? null : selected;
        Scalar(Variable.RequestBodyLength, body.Length.ToString(CultureInfo.InvariantCulture));
        var text = Encoding.Latin1.GetString(body);
        // As ModSecurity v2: the raw body is REQUEST_BODY for urlencoded bodies, bodies no processor
        // understands, or when a rule forces it (ctl:forceRequestBodyVariable); JSON, XML and multipart
        // bodies are seen through their parsed variables.
        if (processor is null or "URLENCODED" || ForceRequestBodyVariable)
        {
            Scalar(Variable.RequestBody, text);
        }

        switch (processor)
        {
            case "URLENCODED":
                FormBodies.ParseUrlEncoded(text, this, Variable.ArgsPost, Variable.ArgsPostNames);
                break;
            case "MULTIPART":
                new MultipartBody(this).Parse(text, contentType);
                break;
            case "JSON":
                FormBodies.ParseJson(body, this);
                break;
            case "XML":
                _xml = XmlBody.Parse(body, this);
                break;
        }

        RebuildArgs();
    }

    // As ModSecurity's recommended configuration selects it (rules 200000 and 200001), plus +json types.
    private static string? BodyProcessorFor(string contentType)
    {
        var type = contentType.AsSpan().TrimStart();
        var semicolon = type.IndexOf(';');
        var mime = (semicolon < 0 ? type : type[..semicolon]).Trim();
        if (mime.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return "URLENCODED";
        }

        if (mime.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return "MULTIPART";
        }

        if (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || (mime.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mime.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return "JSON";
        }

        if (type.StartsWith("text/xml", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("application/soap+xml", StringComparison.OrdinalIgnoreCase))
        {
            return "XML";
        }

        return null;
    }

    /// <summary>Records a body processor failure (REQBODY_ERROR, REQBODY_ERROR_MSG).</summary>
    public void BodyError(string message)
    {
        Scalar(Variable.ReqbodyError, "1");
        Scalar(Variable.ReqbodyErrorMsg, message);
    }

    /// <summary>Adds an argument if the SecArgumentsLimit allows.</summary>
    public void AddArgument(Variable values, Variable names, string name, string value)
    {
        if (_collections[(int)Variable.ArgsGet].Count + _collections[(int)Variable.ArgsPost].Count >= RuleSet.Settings.ArgumentsLimit)
        {
            return;
        }

        _collections[(int)values].Add(name, value);
        _collections[(int)names].Add(name, name);
    }

    private void RebuildArgs()
    {
        var args = _collections[(int)Variable.Args];
        var argNames = _collections[(int)Variable.ArgsNames];
        args.Clear();
        argNames.Clear();
        long size = 0;
        foreach (var source in (ReadOnlySpan<Variable>)[Variable.ArgsGet, Variable.ArgsPost])
        {
            foreach (var entry in _collections[(int)source].AsSpan())
            {
                args.Add(entry.Key, entry.Value);
                argNames.Add(entry.Key, entry.Key);
                size += entry.Key.Length + entry.Value.Length;
            }
        }

        Scalar(Variable.ArgsCombinedSize, size.ToString(CultureInfo.InvariantCulture));
    }

    // Version 0 cookies: ';'-separated name=value pairs, values kept as sent.
    private void ParseCookies(string header)
    {
        var cookies = _collections[(int)Variable.RequestCookies];
        var names = _collections[(int)Variable.RequestCookiesNames];
        foreach (var part in header.Split(';'))
        {
            var pair = part.TrimStart(' ', '\t');
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? pair : pair[..equals]).TrimEnd(' ', '\t');
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            cookies.Add(name, value);
            names.Add(name, name);
        }
    }

    // Read only (counted and enumerated): one empty list serves every transaction without an XML body.
    private static readonly List<string> NoXml = [];

    private List<string> XmlValues(string? selector) =>
        _xml is null ? NoXml : selector is not null && selector.Contains('@', StringComparison.Ordinal) ? _xml.Attributes : _xml.Text;

    /// <summary>Fills the response status and headers and runs phase 3.</summary>
    public void ProcessResponseHeaders(int status, string protocol, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Scalar(Variable.ResponseStatus, status.ToString(CultureInfo.InvariantCulture));
        Scalar(Variable.ResponseProtocol, protocol);
        Scalar(Variable.StatusLine, string.Concat(protocol, " ", status.ToString(CultureInfo.InvariantCulture)));
        var all = _collections[(int)Variable.ResponseHeaders];
        var names = _collections[(int)Variable.ResponseHeadersNames];
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            all.Add(name, value);
            names.Add(name, name);
        }

        Scalar(Variable.ResponseContentType, all.Get("content-type") ?? string.Empty);
        Scalar(Variable.ResponseContentLength, all.Get("content-length") ?? string.Empty);
        RunPhase(3);
    }

    /// <summary>True when SecResponseBodyAccess is on and the response content type is one to inspect.</summary>
    public bool WantsResponseBody()
    {
        if (!RuleSet.Settings.ResponseBodyAccess)
        {
            return false;
        }

        var type = _collections[(int)Variable.ResponseContentType].Count > 0 ? _collections[(int)Variable.ResponseContentType][0].Value : string.Empty;
        var semicolon = type.IndexOf(';', StringComparison.Ordinal);
        var mime = (semicolon < 0 ? type : type[..semicolon]).Trim();
        return RuleSet.Settings.ResponseBodyMimeTypes.Contains(mime, StringComparer.OrdinalIgnoreCase);
    }

    public void AppendResponseBody(ReadOnlySpan<byte> chunk)
    {
        _responseBody ??= new ArrayBufferWriter<byte>();
        var room = RuleSet.Settings.ResponseBodyLimit - _responseBody.WrittenCount;
        _responseBody.Write(chunk.Length > room ? chunk[..(int)Math.Max(0, room)] : chunk);
    }

    /// <summary>Runs phase 4 on the buffered response body.</summary>
    public void ProcessResponseBody()
    {
        if (_responseBody is not null && WantsResponseBody())
        {
            Scalar(Variable.ResponseBody, Encoding.Latin1.GetString(_responseBody.WrittenSpan));
        }

        RunPhase(4);
    }

    public void ProcessLogging() => RunPhase(5);
}

/// <summary>The request line and connection facts of an exchange, as Envoy reports them.</summary>
internal sealed record RequestLine(string Method, string Uri, string Protocol)
{
    public string RemoteAddress { get; init; } = "127.0.0.1";

    public int RemotePort { get; init; }

    public string ServerAddress { get; init; } = "127.0.0.1";

    public int ServerPort { get; init; } = 80;
}
