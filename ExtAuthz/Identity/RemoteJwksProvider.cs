using System.Net.Http.Headers;
using EnvoyGovern.Governance.Decisions;

namespace EnvoyGovern.ExtAuthz.Identity;

/// <summary>
/// Keys fetched from an HTTPS JWKS URL: fetched on first use, reused for the refresh interval, then
/// refreshed in the background while the old keys keep serving. A token naming an unknown <c>kid</c>
/// forces a refetch at most once per <see cref="UnknownKeyRefetchGap"/>, so forged kids cannot turn
/// this service into a load generator against the identity provider. A failed fetch keeps the last
/// good keys; with no keys at all the request fails as UNAVAILABLE, so Envoy fails closed.
/// </summary>
internal sealed class RemoteJwksProvider : IJwksProvider, IDisposable
{
    internal static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan UnknownKeyRefetchGap = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan RetryWithoutKeys = TimeSpan.FromSeconds(5);
    private const int MaxDocumentBytes = 1024 * 1024;

    private readonly Uri _url;
    private readonly string _logUrl;
    private readonly Func<HttpClient> _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private volatile JwksKeySet? _current;
    private Task<JwksKeySet?>? _inflight;
    private DateTimeOffset _retryAfter = DateTimeOffset.MinValue;
    private DateTimeOffset _lastUnknownKeyFetch = DateTimeOffset.MinValue;

    public RemoteJwksProvider(Uri url, Func<HttpClient> client, TimeProvider time, TimeSpan refreshInterval, ILogger logger)
    {
        _url = url;
        _logUrl = url.GetLeftPart(UriPartial.Path); // never log a query string: it may carry a secret
        _client = client;
        _time = time;
        _refreshInterval = refreshInterval;
        _logger = logger;
    }

    public async ValueTask<JwksKeySet> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        var now = _time.GetUtcNow();
        if (current is not null)
        {
            if (now - current.LoadedAt >= _refreshInterval)
            {
                lock (_gate)
                {
                    if (now >= _retryAfter)
                    {
                        _ = StartFetch(); // background: this request goes on with the keys it has
                    }
                }
            }

            return current;
        }

        Task<JwksKeySet?> fetch;
        lock (_gate)
        {
            if (_inflight is null && now < _retryAfter)
            {
                throw new DependencyUnavailableException($"JWKS {_logUrl} unavailable, retrying shortly");
            }

            fetch = StartFetch();
        }

        return await fetch.WaitAsync(cancellationToken) ?? throw new DependencyUnavailableException($"JWKS {_logUrl} unavailable");
    }

    public async ValueTask<JwksKeySet> RefreshForUnknownKeyAsync(JwksKeySet current, CancellationToken cancellationToken)
    {
        Task<JwksKeySet?> fetch;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_inflight is null && now - _lastUnknownKeyFetch < UnknownKeyRefetchGap)
            {
                return _current ?? current;
            }

            _lastUnknownKeyFetch = now;
            fetch = StartFetch();
        }

        return await fetch.WaitAsync(cancellationToken) ?? _current ?? current;
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    // Called under _gate. One fetch at a time, shared by every waiting request; it runs detached
    // (Task.Run) so that one caller's cancellation cannot cancel what the others wait for, and so that
    // its completion cannot run before _inflight is assigned.
    private Task<JwksKeySet?> StartFetch() => _inflight ??= Task.Run(FetchAsync);

    private async Task<JwksKeySet?> FetchAsync()
    {
        try
        {
            var keys = await DownloadAsync(_disposed.Token);
            _current = keys;
            IdentityLog.JwksFetched(_logger, _logUrl, keys.Keys.Count);
            return keys;
        }
        catch (Exception ex)
        {
            // A detached fetch is a boundary: whatever went wrong means "no new keys", never a faulted
            // task that requests would rethrow or that would skip the backoff below.
            lock (_gate)
            {
                _retryAfter = _time.GetUtcNow() + (_current is null ? RetryWithoutKeys : RetryAfterFailure);
            }

            IdentityLog.JwksFetchFailed(_logger, _logUrl, _current is not null, ex.GetType().Name, ex.Message);
            return null;
        }
        finally
        {
            lock (_gate)
            {
                _inflight = null;
            }
        }
    }

    private async Task<JwksKeySet> DownloadAsync(CancellationToken disposed)
    {
        // The timeout is wall-clock on purpose: it bounds a network call, not a policy time.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(disposed);
        timeout.CancelAfter(FetchTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, _url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // HttpClient does not follow an https -> http redirect, so keys always come over TLS.
        using var response = await _client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > MaxDocumentBytes)
        {
            throw new InvalidDataException($"JWKS larger than {MaxDocumentBytes} bytes");
        }

        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, timeout.Token)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                throw new InvalidDataException($"JWKS larger than {MaxDocumentBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return JwksKeySet.Parse(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), _time.GetUtcNow());
    }
}
