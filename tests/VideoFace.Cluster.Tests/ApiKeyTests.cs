using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;

namespace VideoFace.Cluster.Tests;

/// <summary>The HTTP API requires a key: the embedded host makes one in its data folder; wrong or missing keys get 401.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vf-apikey-").FullName;
    private WebApplication? _app;
    private int _port;

    public async Task InitializeAsync()
    {
        var ports = Ports.Free(3);
        _port = ports[2];
        _app = VideoFaceHost.Build([], TestSecurity.Allow(new Dictionary<string, string?>
        {
            ["VideoFace:DataDirectory"] = Path.Combine(_folder, "data"),
            ["VideoFace:Devices"] = "",
            ["VideoFace:SiloPort"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VideoFace:GatewayPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["VideoFace:HttpPort"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Vision:ModelsDirectory"] = TestData.Models,
        }), builder => builder.Logging.ClearProviders());
        await _app.StartAsync();
    }

    [Fact]
    public async Task Api_WithoutKey_Is401AndSaysWhereTheKeyIs()
    {
        using var http = new HttpClient();
        var r = await http.GetAsync($"http://127.0.0.1:{_port}/api/cameras");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("api-key", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_WrongKey_Is401()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"http://127.0.0.1:{_port}/api/cameras")).StatusCode);
    }

    [Fact]
    public async Task Api_LocalKeyFromDataFolder_IsAcceptedAsHeaderOrBearer()
    {
        var key = File.ReadAllText(Path.Combine(_folder, "data", "api-key")).Trim();
        Assert.True(key.Length >= 32);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{_port}/api/cameras")).StatusCode);
        using var bearer = new HttpClient();
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync($"http://127.0.0.1:{_port}/api/cameras")).StatusCode);
    }

    [Fact]
    public async Task HealthAndOpenApi_NeedNoKey()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{_port}/health")).StatusCode);
        var doc = await http.GetStringAsync($"http://127.0.0.1:{_port}/openapi/v1.json");
        Assert.Contains("/api/cameras", doc);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
