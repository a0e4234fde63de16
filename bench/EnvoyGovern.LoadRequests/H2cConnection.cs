using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// A minimal HTTP/2 cleartext (prior knowledge) client connection for <see cref="PacedLoad"/>: every call one
/// stream carrying the same pre-encoded HEADERS and DATA frames (the request file), written with one
/// <c>send(2)</c>; answers read by a thread of its own. HttpClient costs 80-130 µs of CPU per call on this
/// machine, more than the bare server it measures, so it would be the bottleneck; this costs a few µs.
/// </summary>
/// <remarks>
/// A call counts as answered when its stream ends, and as a success only if the answer's first header is
/// <c>:status 200</c> and it carried at least one gRPC message (a trailers-only answer is an error). Like h2load,
/// it does not decode <c>grpc-status</c> (that needs HPACK's dynamic table): the harness checks the answers with
/// <c>verify</c> and the services' own counters.
/// </remarks>
internal sealed class H2cConnection : IDisposable
{
    private const byte Data = 0, Headers = 1, RstStream = 3, Settings = 4, Ping = 6, GoAway = 7, WindowUpdate = 8;
    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, Priority = 0x20;
    private const int OurWindow = 1 << 30;
    private const int MaxFrame = 16_384;

    private readonly Socket _socket;
    private readonly byte[] _request;
    private readonly Action<int, bool> _answered;
    private readonly Lock _writeLock = new();
    private readonly Thread _reader;
    private readonly int[] _callOfStream;
    private readonly bool[] _gotMessage;
    private readonly bool[] _status200;

    // Per stream whether it was answered: a server may reset a stream it already ended (RST_STREAM NO_ERROR after a
    // trailers-only answer, when the request's body was not read), and a call is counted once.
    private readonly bool[] _ended;
    private int _nextStream = 1;
    private long _sendWindow = 65_535;
    private int _maxStreams = 100;
    private int _open;
    private long _received;
    private int _dataAt;

    /// <summary>Connects and starts reading; <paramref name="answered"/> gets (call, success) once per call.</summary>
    public H2cConnection(Uri target, byte[] body, int maxCalls, Action<int, bool> answered)
    {
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(target.Host, target.Port);
        _request = RequestFrames(target, body);
        _answered = answered;
        _callOfStream = new int[maxCalls];
        _gotMessage = new bool[maxCalls];
        _status200 = new bool[maxCalls];
        _ended = new bool[maxCalls];
        var preface = new List<byte>(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        var settings = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(settings, 0x4); // SETTINGS_INITIAL_WINDOW_SIZE
        BinaryPrimitives.WriteInt32BigEndian(settings.AsSpan(2), OurWindow);
        preface.AddRange(Frame(Settings, 0, 0, settings));
        preface.AddRange(WindowUpdateFrame(OurWindow - 65_535));
        _socket.Send(preface.ToArray());
        _reader = new Thread(Read) { IsBackground = true, Name = "h2c-reader" };
        _reader.Start();
    }

    /// <summary>
    /// Sends call <paramref name="call"/> now; false (nothing sent) when the server's stream limit or flow-control
    /// window does not allow it yet, and the caller tries again.
    /// </summary>
    public bool TrySend(int call)
    {
        lock (_writeLock)
        {
            if (Volatile.Read(ref _open) >= _maxStreams || _sendWindow < _request.Length)
            {
                return false;
            }

            var stream = _nextStream;
            _nextStream += 2;
            _callOfStream[stream / 2] = call;
            BinaryPrimitives.WriteInt32BigEndian(_request.AsSpan(5), stream);
            BinaryPrimitives.WriteInt32BigEndian(_request.AsSpan(_dataAt + 5), stream);
            _sendWindow -= _request.Length - _dataAt - 9;
            Interlocked.Increment(ref _open);
            _socket.Send(_request);
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private byte[] RequestFrames(Uri target, byte[] body)
    {
        if (body.Length > MaxFrame)
        {
            throw new ArgumentException($"a request body over {MaxFrame} bytes needs more than one DATA frame", nameof(body));
        }

        // HPACK without the dynamic table or Huffman: static-table indices where the table has the pair or the name.
        var block = new List<byte> { 0x83, 0x86 }; // :method POST, :scheme http
        Literal(block, 4, target.PathAndQuery); // :path
        Literal(block, 1, target.Authority); // :authority
        Literal(block, 31, "application/grpc"); // content-type
        block.Add(0x00);
        String(block, "te");
        String(block, "trailers");
        var headers = Frame(Headers, EndHeaders, 0, [.. block]);
        _dataAt = headers.Length;
        return [.. headers, .. Frame(Data, EndStream, 0, body)];
    }

    private void Read()
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = _socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var at = 0;
                while (filled - at >= 9)
                {
                    var length = (buffer[at] << 16) | (buffer[at + 1] << 8) | buffer[at + 2];
                    if (filled - at < 9 + length)
                    {
                        break;
                    }

                    OnFrame(buffer[at + 3], buffer[at + 4], BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(at + 5)) & 0x7fffffff,
                        buffer.AsSpan(at + 9, length));
                    at += 9 + length;
                }

                buffer.AsSpan(at, filled - at).CopyTo(buffer);
                filled -= at;
            }
        }
        catch (SocketException)
        {
            // Closed by Dispose or by the server; calls still open are never answered and the run reports them.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnFrame(byte type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case Data:
                _gotMessage[stream / 2] |= payload.Length > ((flags & Padded) != 0 ? 1 + payload[0] : 0);
                _received += payload.Length;
                if (_received > OurWindow / 2)
                {
                    Write(WindowUpdateFrame((int)_received));
                    _received = 0;
                }

                break;
            case Headers:
                var skip = ((flags & Padded) != 0 ? 1 : 0) + ((flags & Priority) != 0 ? 5 : 0);
                if (payload.Length > skip && payload[skip] == 0x88) // :status 200, indexed
                {
                    _status200[stream / 2] = true;
                }

                break;
            case RstStream:
                _gotMessage[stream / 2] = false;
                End(stream);
                return;
            case Settings when (flags & Ack) == 0:
                for (var i = 0; i + 6 <= payload.Length; i += 6)
                {
                    var value = BinaryPrimitives.ReadInt32BigEndian(payload[(i + 2)..]);
                    if (BinaryPrimitives.ReadUInt16BigEndian(payload[i..]) == 0x3)
                    {
                        Volatile.Write(ref _maxStreams, value);
                    }
                }

                Write(Frame(Settings, Ack, 0, []));
                return;
            case Ping when (flags & Ack) == 0:
                Write(Frame(Ping, Ack, 0, payload.ToArray()));
                return;
            case WindowUpdate when stream == 0:
                lock (_writeLock)
                {
                    _sendWindow += BinaryPrimitives.ReadInt32BigEndian(payload) & 0x7fffffff;
                }

                return;
            case GoAway:
                throw new SocketException((int)SocketError.ConnectionReset);
            default:
                return;
        }

        if ((flags & EndStream) != 0)
        {
            End(stream);
        }
    }

    private void End(int stream)
    {
        if (_ended[stream / 2])
        {
            return;
        }

        _ended[stream / 2] = true;
        Interlocked.Decrement(ref _open);
        _answered(_callOfStream[stream / 2], _gotMessage[stream / 2] && _status200[stream / 2]);
    }

    private void Write(byte[] frame)
    {
        lock (_writeLock)
        {
            _socket.Send(frame);
        }
    }

    private static byte[] WindowUpdateFrame(int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return Frame(WindowUpdate, 0, 0, payload);
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        Debug.Assert(payload.Length <= MaxFrame, "one frame");
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    // A literal header field without indexing, its name from the static table (RFC 7541 6.2.2, 4-bit prefix).
    private static void Literal(List<byte> block, int nameIndex, string value)
    {
        Integer(block, 0x00, 4, nameIndex);
        String(block, value);
    }

    private static void String(List<byte> block, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        Integer(block, 0x00, 7, bytes.Length);
        block.AddRange(bytes);
    }

    // RFC 7541 5.1.
    private static void Integer(List<byte> block, byte high, int prefixBits, int value)
    {
        var limit = (1 << prefixBits) - 1;
        if (value < limit)
        {
            block.Add((byte)(high | value));
            return;
        }

        block.Add((byte)(high | limit));
        for (value -= limit; value >= 128; value >>= 7)
        {
            block.Add((byte)((value & 0x7f) | 0x80));
        }

        block.Add((byte)value);
    }
}
