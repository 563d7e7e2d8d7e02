namespace VideoFace.Cli.Tests;

/// <summary>enroll → identify through the real program, on real faces.</summary>
public sealed class FacebankCommandTests(CliRunner cli) : IClassFixture<CliRunner>
{
    private static readonly string[] Enrolled = ["Colin_Powell", "Jennifer_Aniston", "Serena_Williams"];

    private string MakeEnrolFolder()
    {
        var dir = Path.Combine(cli.Work, "enrol-" + Guid.NewGuid().ToString("N")[..6]);
        // two of the people as NAME/ folders with their first two photos, one as a single NAME.jpg
        foreach (var p in Enrolled.Take(2))
        {
            Directory.CreateDirectory(Path.Combine(dir, p));
            foreach (var f in CliRunner.Photos(p).Take(2)) File.Copy(f, Path.Combine(dir, p, Path.GetFileName(f)));
        }
        File.Copy(CliRunner.Photos(Enrolled[2])[0], Path.Combine(dir, Enrolled[2] + ".jpg"));
        return dir;
    }

    [Fact]
    public void EnrollThenIdentify_UnseenPhotos_NameEnrolledPeopleAndCallOthersUnknown()
    {
        var enrol = cli.Run("enroll", MakeEnrolFolder(), "--replace", "--local", "--json");
        Assert.True(enrol.ExitCode == 0, enrol.Stderr);
        var persons = enrol.Json.GetProperty("persons").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("photos").GetInt32());
        Assert.Equal(2, persons["Colin_Powell"]);
        Assert.Equal(1, persons["Serena_Williams"]);
        Assert.True(File.Exists(Path.Combine(cli.Data, "facebank.json")));

        foreach (var person in Enrolled)
        {
            var photo = CliRunner.Photos(person)[3]; // a photo that was not enrolled
            var id = cli.Run("identify", photo, "--json");
            Assert.True(id.ExitCode == 0, id.Stderr);
            var face = id.Json.GetProperty("faces").EnumerateArray().First();
            Assert.Equal(person, face.GetProperty("name").GetString());
            Assert.True(face.GetProperty("similarity").GetSingle() > 0.35f);
        }

        var stranger = cli.Run("identify", CliRunner.Photos("Yoko_Ono")[0], "--json");
        Assert.Equal("unknown", stranger.Json.GetProperty("faces")[0].GetProperty("name").GetString());

        var human = cli.Run("identify", CliRunner.Photos("Colin_Powell")[2]);
        Assert.Contains("Colin_Powell", human.Stdout);
    }

    [Fact]
    public void Enroll_PhotoWithoutFaceAndNonImage_AreReportedAndTheRestEnrolled()
    {
        var dir = MakeEnrolFolder();
        File.WriteAllText(Path.Combine(dir, "Not_A_Photo.jpg"), "this is text, not a JPEG");
        Directory.CreateDirectory(Path.Combine(dir, "Blank"));
        File.WriteAllBytes(Path.Combine(dir, "Blank", "grey.png"), GreyPng());
        var r = cli.Run("enroll", dir, "--replace", "--local", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains(r.Json.GetProperty("no_face").EnumerateArray(), e => e.GetString()!.EndsWith("grey.png", StringComparison.Ordinal));
        Assert.Contains(r.Json.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString()!.EndsWith("Not_A_Photo.jpg", StringComparison.Ordinal)
                                                                          && e.GetProperty("error").GetString()!.Contains("not an image"));
        Assert.Equal(3, r.Json.GetProperty("persons").GetArrayLength());
        Assert.Contains("Blank", r.Json.GetProperty("not_enrolled").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Identify_NonImage_FailsWithClearMessageAndExitCode()
    {
        var path = Path.Combine(cli.Work, "notes.txt");
        File.WriteAllText(path, "hello");
        cli.Run("enroll", MakeEnrolFolder(), "--replace", "--local");
        var r = cli.Run("identify", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not an image", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // no stack trace for a user error
    }

    [Fact]
    public void Identify_BadThreshold_NamesTheOption()
    {
        var r = cli.Run("identify", CliRunner.Photos("Colin_Powell")[0], "--threshold", "7");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--threshold", r.Stderr);
    }

    [Fact]
    public void AnyCommand_WrongModelFolder_NamesTheMissingFile()
    {
        var models = Path.Combine(cli.Work, "models-broken");
        Directory.CreateDirectory(models);
        File.Copy(Path.Combine(CliRunner.RepoRoot, "models", "manifest.json"), Path.Combine(models, "manifest.json"));
        File.Copy(Path.Combine(CliRunner.RepoRoot, "models", "fr_landmark.onnx"), Path.Combine(models, "fr_detect.onnx"));
        var r = cli.Run("identify", CliRunner.Photos("Colin_Powell")[0], "--models", models);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("fr_detect.onnx", r.Stderr);
        Assert.Contains("SHA-256", r.Stderr);
    }

    [Fact]
    public void EvalPairs_SmallIdentityFolder_PrintsTheDocumentedJsonKeys()
    {
        var dir = Path.Combine(cli.Work, "eval");
        foreach (var p in new[] { "Colin_Powell", "Jennifer_Aniston", "Serena_Williams", "Tony_Blair", "Yoko_Ono" })
        {
            Directory.CreateDirectory(Path.Combine(dir, p));
            foreach (var f in CliRunner.Photos(p).Take(3)) File.Copy(f, Path.Combine(dir, p, Path.GetFileName(f)));
        }
        var r = cli.Run("eval", "pairs", dir, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json;
        foreach (var key in new[] { "accuracy", "accuracy_std", "threshold", "tar_at_far_1e-2", "tar_at_far_1e-3", "auc" })
            Assert.InRange(j.GetProperty(key).GetDouble(), -1, 1);
        Assert.Equal(30, j.GetProperty("pairs").GetInt32()); // 15 genuine + 15 impostor
        Assert.Equal(0, j.GetProperty("no_face").GetInt32());
        Assert.True(j.GetProperty("auc").GetDouble() > 0.9);
    }

    private static byte[] GreyPng()
    {
        using var grey = new OpenCvSharp.Mat(200, 200, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(128));
        OpenCvSharp.Cv2.ImEncode(".png", grey, out var png);
        return png;
    }
}
