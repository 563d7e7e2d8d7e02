using VideoFace.Testing;

namespace VideoFace.Media.Tests.Support;

/// <summary>Clips for file tests, generated once per test class.</summary>
public sealed class MediaClips : IAsyncLifetime
{
    public string Folder { get; } = TestVideos.TempFolder("media");

    /// <summary>4 s, 25 fps, 320×240 H.264 mp4: exactly 100 frames, pts 0.00..3.96.</summary>
    public string Mp4 { get; private set; } = "";

    /// <summary>The same kind of clip without faststart, cut to half its bytes (moov atom missing).</summary>
    public string TruncatedMp4 { get; private set; } = "";

    /// <summary>An MPEG-TS clip cut in the middle: the first half decodes, then the data ends mid-packet.</summary>
    public string TruncatedTs { get; private set; } = "";

    /// <summary>A text file with an .mp4 name.</summary>
    public string NotVideo { get; private set; } = "";

    /// <summary>An audio-only file.</summary>
    public string AudioOnly { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Mp4 = await TestVideos.H264Async(Path.Combine(Folder, "clip.mp4"), 320, 240, 25, 4);
        var whole = await TestVideos.H264Async(Path.Combine(Folder, "moov-at-end.mp4"), 320, 240, 25, 4, fastStart: false);
        TruncatedMp4 = Truncate(whole, Path.Combine(Folder, "truncated.mp4"), 0.5);
        var ts = await TestVideos.H264Async(Path.Combine(Folder, "clip.ts"), 320, 240, 25, 4);
        TruncatedTs = Truncate(ts, Path.Combine(Folder, "truncated.ts"), 0.5);
        NotVideo = Path.Combine(Folder, "notes.mp4");
        await File.WriteAllTextAsync(NotVideo, string.Concat(Enumerable.Repeat("this is not a video\n", 200)));
        AudioOnly = await TestVideos.AudioOnlyAsync(Path.Combine(Folder, "tone.m4a"), 2);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }

    private static string Truncate(string source, string target, double fraction)
    {
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(target, bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray());
        return target;
    }
}
