using Xunit;

namespace VideoFace.Testing;

/// <summary>
/// xunit class fixture: generates a 320×240 25 fps H.264 clip and serves it in a loop at <see cref="Url"/> (rtsp://127.0.0.1:PORT/cam).
/// Subclass and override <see cref="CreateClipAsync"/> to serve another clip.
/// </summary>
public class RtspServerFixture : IAsyncLifetime
{
    private RtspServer? _server;

    /// <summary>A temporary folder for this fixture's files, deleted on dispose.</summary>
    public string Folder { get; } = TestVideos.TempFolder("rtsp");

    public RtspServer Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    public Uri Url => Server.Url;

    public string ClipPath { get; private set; } = "";

    public int Port => Server.Port;

    /// <summary>Makes the clip that will be served; H.264 in mp4 (the server passes it through without re-encoding).</summary>
    protected virtual Task<string> CreateClipAsync(string folder) =>
        TestVideos.H264Async(Path.Combine(folder, "clip.mp4"), 320, 240, 25, 4);

    public async Task InitializeAsync()
    {
        ClipPath = await CreateClipAsync(Folder).ConfigureAwait(false);
        _server = new RtspServer(ClipPath);
        await _server.StartAsync().ConfigureAwait(false);
    }

    public Task StopAsync() => Server.StopAsync();

    public Task RestartAsync() => Server.RestartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
