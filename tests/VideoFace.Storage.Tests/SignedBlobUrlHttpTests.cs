using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Hosting;
using VideoFace.Testing;

namespace VideoFace.Storage.Tests;

/// <summary>
/// The embedded web host serves blobs by signed URL without an API key (so thumbnails work in &lt;img&gt;), refuses a
/// bad signature with 403, and still wants a key for unsigned reads.
/// </summary>
public sealed class SignedBlobUrlHttpTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vf-blobhttp-").FullName;
    private readonly HttpClient _http = new();
    private WebApplication? _app;
    private IBlobStore _store = null!;
    private string _base = "";

    public async Task InitializeAsync()
    {
        var ports = Ports.Free(3);
        _base = $"http://127.0.0.1:{ports[2]}";
        _app = VideoFaceHost.Build([], TestSecurity.Allow(new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(_folder, "data"),
            ["VideoFace:Devices"] = "",
            ["VideoFace:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:HttpPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["VideoFace:Blobs:ReadUrlTtl"] = "00:05:00",
        }), builder => builder.Logging.ClearProviders());
        await _app.StartAsync();
        _store = _app.Services.GetRequiredService<IBlobStore>();
        await _store.PutAsync("thumbnails/cam1/t1.jpg", Images.Jpeg(5), "image/jpeg");
    }

    [Fact]
    public async Task SignedUrl_WithoutApiKey_Is200WithBytesAndType()
    {
        var url = _store.GetReadUrl("thumbnails/cam1/t1.jpg", TimeSpan.FromMinutes(5));
        Assert.StartsWith("/api/blobs/thumbnails/cam1/t1.jpg?exp=", url);
        using var r = await _http.GetAsync(_base + url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("image/jpeg", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Images.Jpeg(5), await r.Content.ReadAsByteArrayAsync());
        Assert.True(File.Exists(Path.Combine(_folder, "data", BlobUrlSigner.KeyFileName)));
    }

    [Fact]
    public async Task TamperedSignature_Is403()
    {
        var url = _store.GetReadUrl("thumbnails/cam1/t1.jpg", TimeSpan.FromMinutes(5));
        var i = url.IndexOf("sig=", StringComparison.Ordinal) + 4;
        using var r = await _http.GetAsync(_base + url[..i] + (url[i] == 'A' ? 'B' : 'A') + url[(i + 1)..]);
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
    }

    [Fact]
    public async Task ExpiredSignature_Is403()
    {
        var signer = _app!.Services.GetRequiredService<BlobUrlSigner>();
        var exp = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds();
        using var r = await _http.GetAsync($"{_base}/api/blobs/thumbnails/cam1/t1.jpg?exp={exp}&sig={signer.Sign("thumbnails/cam1/t1.jpg", exp)}");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
    }

    [Fact]
    public async Task NoSignature_NoApiKey_Is401()
    {
        using var r = await _http.GetAsync(_base + "/api/blobs/thumbnails/cam1/t1.jpg");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
    }

    [Fact]
    public async Task NoSignature_WithApiKey_Is200()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _base + "/api/blobs/thumbnails/cam1/t1.jpg");
        request.Headers.Add("X-Api-Key", File.ReadAllText(Path.Combine(_folder, "data", "api-key")).Trim());
        using var r = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
