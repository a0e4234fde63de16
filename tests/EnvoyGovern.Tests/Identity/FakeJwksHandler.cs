using System.Net;
using System.Text;

namespace EnvoyGovern.Tests.Identity;

/// <summary>
/// Serves a JWKS document to HttpClient without a network: the test sets what the next fetches
/// return (a document or a failure) and counts how many fetches were made.
/// </summary>
public sealed class FakeJwksHandler : HttpMessageHandler
{
    private int _calls;
    private volatile string? _document;
    private volatile bool _failing;

    public FakeJwksHandler(string? document) => _document = document;

    public int Calls => Volatile.Read(ref _calls);

    public Uri? LastUri { get; private set; }

    public void Serve(string document)
    {
        _document = document;
        _failing = false;
    }

    public void Fail() => _failing = true;

    public HttpClient Client() => new(this, disposeHandler: false);

    /// <summary>Waits (real time, bounded) until at least <paramref name="count"/> fetches happened.</summary>
    public async Task WaitForCallsAsync(int count)
    {
        for (var i = 0; i < 200 && Calls < count; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(Calls >= count, $"expected {count} JWKS fetches, saw {Calls}");
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        LastUri = request.RequestUri;
        if (_failing || _document is null)
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(_document, Encoding.UTF8, "application/json"),
        });
    }
}
