using System.Globalization;
using System.Text;
namespace VideoFace.Testing;

/// <summary>Makes a video of face photos shown one after another, with grey gaps between them so each person's track ends.</summary>
public static class FaceVideo
{
    /// <summary>
    /// 640×480 25 fps H.264 (yuv420p, mp4): each photo (LFW 250×250, upscaled and letterboxed) for <paramref name="secondsEach"/>,
    /// each followed by <paramref name="gapSeconds"/> of grey.
    /// </summary>
    public static Task<string> CreateAsync(string path, IReadOnlyList<string> photos, double secondsEach = 4, double gapSeconds = 2.5,
        CancellationToken ct = default)
    {
        var inv = CultureInfo.InvariantCulture;
        List<string> args = ["-hide_banner", "-loglevel", "error", "-y"];
        foreach (var photo in photos)
        {
            if (!File.Exists(photo)) throw new FileNotFoundException($"face photo missing: {photo} (../shared/data/faces-dev)", photo);
            args.AddRange(["-loop", "1", "-framerate", "25", "-t", secondsEach.ToString(inv), "-i", "file:" + Path.GetFullPath(photo)]);
        }
        args.AddRange(["-f", "lavfi", "-t", gapSeconds.ToString(inv), "-i", "color=c=gray:s=640x480:r=25"]);
        var filter = new StringBuilder();
        int grey = photos.Count;
        filter.Append(inv, $"[{grey}:v]format=yuv420p,setsar=1,split={photos.Count}");
        for (int i = 0; i < photos.Count; i++) filter.Append(inv, $"[g{i}]");
        filter.Append(';');
        for (int i = 0; i < photos.Count; i++)
            filter.Append(inv, $"[{i}:v]scale=480:480,pad=640:480:80:0:color=gray,fps=25,format=yuv420p,setsar=1[p{i}];");
        for (int i = 0; i < photos.Count; i++) filter.Append(inv, $"[p{i}][g{i}]");
        filter.Append(inv, $"concat=n={photos.Count * 2}:v=1:a=0[out]");
        args.AddRange(["-filter_complex", filter.ToString(), "-map", "[out]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "0",
            "-pix_fmt", "yuv420p", "-r", "25", "-movflags", "+faststart", TestVideos.OutputArgument(path)]);
        return TestVideos.RunAsync(args, path, ct);
    }
}
