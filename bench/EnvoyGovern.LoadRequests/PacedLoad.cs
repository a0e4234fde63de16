using System.Diagnostics;
using System.Net.Sockets;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// Sends a request file at a fixed rate, evenly spread in time, over a few HTTP/2 connections with many streams
/// each: how Envoy calls ext_authz and ext_proc (one HTTP/2 connection per Envoy worker, each downstream request
/// a stream on it, sent when the request arrives). h2load cannot pace like that: its <c>--rps</c> timer fires at
/// most every 10 ms per connection, so a few connections send bursts, and many connections mean one request per
/// write and one timer and socket per 100 req/s, all on one event loop.
/// </summary>
/// <remarks>
/// A call's latency runs from the time it was due, not from when it went out, so that a late send (this driver
/// descheduled, or held back by the server's stream limit or flow control) counts against the figure instead of
/// hiding a queue; how late the sends were is reported apart (<see cref="PacedResult.SendLagP99Ms"/>), so that a
/// driver that cannot keep up shows. One thread sends, one per connection reads.
/// </remarks>
internal sealed class PacedLoad
{
    private static readonly long RetryTicks = Stopwatch.Frequency / 20_000;

    private readonly long[] _due;
    private readonly long[] _sent;
    private readonly long[] _answeredAt;
    private readonly int _warmupCalls;
    private int _pending;
    private int _errors;
    private bool _stopped;
    private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PacedLoad(int warmupCalls, int measuredCalls)
    {
        _warmupCalls = warmupCalls;
        _due = new long[warmupCalls + measuredCalls];
        _sent = new long[_due.Length];
        _answeredAt = new long[_due.Length];
        _pending = _due.Length;
    }

    /// <summary>Drives <paramref name="target"/> with <paramref name="body"/> and returns the measured part's figures.</summary>
    /// <param name="target">The gRPC method's URL, such as <c>http://127.0.0.1:9001/envoy.service.auth.v3.Authorization/Check</c>.</param>
    /// <param name="body">The length-prefixed gRPC request body (a request file of <c>write</c>).</param>
    /// <param name="settings">Rate, connections, warm-up and measured duration.</param>
    /// <param name="serverPid">The server whose CPU time is read at the start and end of the measured part, or 0.</param>
    public static async Task<PacedResult> RunAsync(Uri target, byte[] body, PacedSettings settings, int serverPid)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var load = new PacedLoad((int)(settings.Rate * settings.WarmupSeconds), Math.Max(1, (int)(settings.Rate * settings.Seconds)));
        var connections = new H2cConnection[settings.Connections];
        try
        {
            for (var i = 0; i < connections.Length; i++)
            {
                connections[i] = new H2cConnection(target, body, load._due.Length / connections.Length + 1, load.OnAnswered);
            }

            return await load.DriveAsync(connections, settings.Rate, serverPid).ConfigureAwait(false);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }
        }
    }

    private async Task<PacedResult> DriveAsync(H2cConnection[] connections, double rate, int serverPid)
    {
        var interval = Stopwatch.Frequency / rate;
        var serverCpu = 0.0;
        var driverCpu = TimeSpan.Zero;
        var scheduler = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
            for (var i = 0; i < _due.Length && !Volatile.Read(ref _stopped); i++)
            {
                var due = start + (long)(i * interval);
                if (i == _warmupCalls)
                {
                    serverCpu = ProcessCpu.Seconds(serverPid);
                    driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
                }

                _due[i] = due;
                PreciseSleep.Until(due);
                var connection = connections[i % connections.Length];
                while (!Volatile.Read(ref _stopped))
                {
                    _sent[i] = Stopwatch.GetTimestamp();
                    if (Sent(connection, i))
                    {
                        break;
                    }

                    PreciseSleep.Until(_sent[i] + RetryTicks);
                }
            }
        })
        { IsBackground = true, Name = "paced-load" };
        scheduler.Start();
        var limit = TimeSpan.FromSeconds(30 + (_due.Length / rate * 2));
        try
        {
            if (await Task.WhenAny(_allAnswered.Task, Task.Delay(limit)).ConfigureAwait(false) != _allAnswered.Task)
            {
                throw new TimeoutException($"{Volatile.Read(ref _pending)} calls unanswered after {limit.TotalSeconds:F0} s");
            }
        }
        finally
        {
            // The caller disposes the connections next: the sending thread must be done with them (a send on a disposed
            // socket on that thread would end the process).
            Volatile.Write(ref _stopped, true);
            scheduler.Join();
        }

        serverCpu = ProcessCpu.Seconds(serverPid) - serverCpu;
        var driver = (Process.GetCurrentProcess().TotalProcessorTime - driverCpu).TotalSeconds;
        var measured = _due.Length - _warmupCalls;
        var latency = new long[measured];
        var lag = new long[measured];
        var last = 0L;
        for (var i = 0; i < measured; i++)
        {
            var call = _warmupCalls + i;
            latency[i] = _answeredAt[call] - _due[call];
            lag[i] = _sent[call] - _due[call];
            last = Math.Max(last, _answeredAt[call]);
        }

        var seconds = (double)(last - _due[_warmupCalls]) / Stopwatch.Frequency;
        return PacedResult.From(latency, lag, measured / seconds, serverCpu, driver, _errors);
    }

    // True when the call went out or never will: a connection the server closed leaves it unanswered, which the run
    // reports (an exception on the sending thread would end the process instead).
    private static bool Sent(H2cConnection connection, int call)
    {
        try
        {
            return connection.TrySend(call);
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private void OnAnswered(int call, bool success)
    {
        _answeredAt[call] = Stopwatch.GetTimestamp();
        if (!success)
        {
            Interlocked.Increment(ref _errors);
        }

        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _allAnswered.TrySetResult();
        }
    }
}
