using System.Diagnostics;

namespace VideoFace.Cli.Tests;

/// <summary>enrol → annotate on a video the test makes from dev faces, through the real program and real ffmpeg.</summary>
public sealed class AnnotateCommandTests(CliRunner cli) : IClassFixture<CliRunner>
{
    [Fact]
    public void Annotate_SlideshowOfEnrolledAndUnknownPeople_NamesEachInTheirSegmentAndWritesPlayableVideo()
    {
        // enrol two people from their first two photos
        var enrol = Path.Combine(cli.Work, "enrol");
        foreach (var p in new[] { "Colin_Powell", "Jennifer_Aniston" })
        {
            Directory.CreateDirectory(Path.Combine(enrol, p));
            foreach (var f in CliRunner.Photos(p).Take(2)) File.Copy(f, Path.Combine(enrol, p, Path.GetFileName(f)));
        }
        Assert.Equal(0, cli.Run("enroll", enrol, "--replace", "--local").ExitCode);

        // a 10 fps slideshow: 1 s of an unseen Powell photo, 1 s of Aniston, 1 s of someone not enrolled
        var frames = Path.Combine(cli.Work, "frames");
        Directory.CreateDirectory(frames);
        string[] shown = [CliRunner.Photos("Colin_Powell")[3], CliRunner.Photos("Jennifer_Aniston")[3], CliRunner.Photos("Yoko_Ono")[0]];
        int n = 0;
        foreach (var photo in shown)
            for (int i = 0; i < 10; i++) File.Copy(photo, Path.Combine(frames, $"f{n++:000}.jpg"));
        var video = Path.Combine(cli.Work, "slideshow.mp4");
        Ffmpeg("-y", "-loglevel", "error", "-framerate", "10", "-i", Path.Combine(frames, "f%03d.jpg"), "-vf", "format=yuv420p", "-c:v", "libx264", video);

        var output = Path.Combine(cli.Work, "annotated.mp4");
        var r = cli.Run("annotate", video, "-o", output, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json;
        Assert.Equal(30, j.GetProperty("frames").GetInt64());
        var persons = j.GetProperty("persons");
        Assert.InRange(persons.GetProperty("Colin_Powell").GetInt64(), 9, 10);
        Assert.InRange(persons.GetProperty("Jennifer_Aniston").GetInt64(), 9, 10);
        Assert.False(persons.TryGetProperty("Yoko_Ono", out _));
        Assert.True(j.GetProperty("unknown_faces").GetInt64() >= 9, "the stranger's segment is unknown"); // LFW photos may show other people at the edges

        // the output is a real, playable H.264 video with every frame
        var probe = Ffmpeg("-v", "error", "-i", output, "-map", "0:v:0", "-f", "null", "-", "-progress", "pipe:1");
        Assert.Contains("frame=30", probe);
        Assert.True(new FileInfo(output).Length > 1000);
    }

    [Fact]
    public void Annotate_NotAVideo_FailsWithReasonAndNoStackTrace()
    {
        var bogus = Path.Combine(cli.Work, "bogus.mp4");
        File.WriteAllText(bogus, "definitely not a video");
        var r = cli.Run("annotate", bogus, "-o", Path.Combine(cli.Work, "out.mp4"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no frames could be decoded", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    private static string Ffmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "ffmpeg failed: " + stderr);
        return stdout.Result;
    }
}
