using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Engine;

internal sealed partial class WafTransaction
{
    // Variables that cost a string each to make and that few rules read (the built-in rules none, the CRS a few):
    // made on their first read instead of for every exchange, with the values they had when the exchange set them.
    private Deferred _pending;
    private readonly DateTimeOffset _now;
    private RequestLine? _line;
    private string _path = string.Empty;

    [Flags]
    private enum Deferred
    {
        None = 0,
        Time = 1,
        TimeEpoch = 2,
        RequestLine = 4,
        RequestBasename = 8,
        RemotePort = 16,
        ServerPort = 32,
    }

    // A collection about to be read: a deferred variable gets its value first.
    private EntryList Read(Variable variable)
    {
        if (_pending != Deferred.None && (_pending & DeferredBit(variable)) != Deferred.None)
        {
            Scalar(variable, DeferredValue(variable));
        }

        return _collections[(int)variable];
    }

    private static Deferred DeferredBit(Variable variable) => variable switch
    {
        Variable.Time => Deferred.Time,
        Variable.TimeEpoch => Deferred.TimeEpoch,
        Variable.RequestLine => Deferred.RequestLine,
        Variable.RequestBasename => Deferred.RequestBasename,
        Variable.RemotePort => Deferred.RemotePort,
        Variable.ServerPort => Deferred.ServerPort,
        _ => Deferred.None,
    };

    private string DeferredValue(Variable variable)
    {
        var line = _line!;
        switch (variable)
        {
            case Variable.Time:
                return _now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            case Variable.TimeEpoch:
                return _now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            case Variable.RequestLine:
                return string.Concat(line.Method, " ", line.Uri, " ", line.Protocol);
            case Variable.RequestBasename:
                var slash = _path.LastIndexOf('/');
                return slash < 0 ? _path : _path[(slash + 1)..];
            case Variable.RemotePort:
                return line.RemotePort.ToString(CultureInfo.InvariantCulture);
            default:
                return line.ServerPort.ToString(CultureInfo.InvariantCulture);
        }
    }

    // The request line's variables that are made on first read (see Deferred).
    private void DeferRequestLine(RequestLine line, string path)
    {
        _line = line;
        _path = path;
        _pending |= Deferred.RequestLine | Deferred.RequestBasename | Deferred.RemotePort | Deferred.ServerPort;
    }
}
