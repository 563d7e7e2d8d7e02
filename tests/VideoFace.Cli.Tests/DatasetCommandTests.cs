using OpenCvSharp;
using VideoFace.Datasets.Pickle;

namespace VideoFace.Cli.Tests;

/// <summary>`dataset align`, `dataset clean` and `eval bin` through the real program, on real faces.</summary>
public sealed class DatasetCommandTests(CliRunner cli) : IClassFixture<CliRunner>
{
    private static readonly string[] EvalPeople = ["Colin_Powell", "Jennifer_Aniston", "Serena_Williams", "Tom_Hanks", "Tony_Blair", "Yoko_Ono"];

    private string NewDir(string name) => Directory.CreateDirectory(Path.Combine(cli.Work, name + "-" + Guid.NewGuid().ToString("N")[..6])).FullName;

    private static void CopyInto(string dir, IEnumerable<string> files)
    {
        Directory.CreateDirectory(dir);
        foreach (var f in files) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
    }

    [Fact]
    public void Align_DevFacesWithJunk_Writes112CropsAndReportsNoFaceAndBadImages()
    {
        var input = NewDir("align-in");
        CopyInto(Path.Combine(input, "Colin_Powell"), CliRunner.Photos("Colin_Powell").Take(2));
        CopyInto(Path.Combine(input, "Tony_Blair"), CliRunner.Photos("Tony_Blair").Take(2));
        Directory.CreateDirectory(Path.Combine(input, "Junk"));
        File.WriteAllBytes(Path.Combine(input, "Junk", "grey.png"), GreyPng());
        File.WriteAllText(Path.Combine(input, "Junk", "notes.jpg"), "this is text, not a JPEG");
        var output = Path.Combine(NewDir("align-out"), "aligned");

        var r = cli.Run("dataset", "align", input, output, "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json;
        Assert.Equal(6, j.GetProperty("images").GetInt32());
        Assert.Equal(4, j.GetProperty("aligned").GetInt32());
        Assert.Equal([Path.Combine(input, "Junk", "grey.png")], j.GetProperty("no_face").EnumerateArray().Select(e => e.GetString()));
        var error = Assert.Single(j.GetProperty("errors").EnumerateArray());
        Assert.Equal(Path.Combine(input, "Junk", "notes.jpg"), error.GetProperty("path").GetString());
        Assert.Contains("not an image", error.GetProperty("error").GetString());
        foreach (var person in new[] { "Colin_Powell", "Tony_Blair" })
        {
            foreach (var photo in CliRunner.Photos(person).Take(2))
            {
                var crop = Path.Combine(output, person, Path.GetFileNameWithoutExtension(photo) + ".jpg");
                using var mat = Cv2.ImRead(crop);
                Assert.False(mat.Empty(), crop + " missing or unreadable");
                Assert.Equal((112, 112), (mat.Cols, mat.Rows));
            }
        }
        Assert.False(Directory.Exists(Path.Combine(output, "Junk")) && Directory.EnumerateFiles(Path.Combine(output, "Junk")).Any());

        var png = cli.Run("dataset", "align", input, output + "-png", "--png", "--parallel", "1");
        Assert.True(png.ExitCode == 0, png.Stderr);
        Assert.Contains("4 aligned", png.Stdout);
        Assert.Contains("no face: " + Path.Combine(input, "Junk", "grey.png"), png.Stdout);
        Assert.True(File.Exists(Path.Combine(output + "-png", "Tony_Blair", Path.GetFileNameWithoutExtension(CliRunner.Photos("Tony_Blair")[0]) + ".png")));
    }

    [Fact]
    public void Clean_OtherPeopleMixedIntoOneIdentity_FlagsExactlyThemAndMoveToMovesThemAside()
    {
        var dir = NewDir("clean");
        var main = Path.Combine(dir, "Colin_Powell");
        var own = CliRunner.Photos("Colin_Powell").Take(4).ToArray();
        var intruders = CliRunner.Photos("Serena_Williams").Take(2).Append(CliRunner.Photos("Yoko_Ono")[0]).ToArray();
        CopyInto(main, own.Concat(intruders));
        File.WriteAllBytes(Path.Combine(main, "grey.png"), GreyPng());
        // A second identity mixing photos with an already aligned 112×112 crop of the same person: nothing to flag there.
        var hanks = Path.Combine(dir, "Tom_Hanks");
        CopyInto(hanks, CliRunner.Photos("Tom_Hanks").Take(3));
        CopyInto(hanks, Directory.GetFiles(Path.Combine(CliRunner.Shared, "data", "faces-dev-crops", "Tom_Hanks")));
        var expected = intruders.Select(f => Path.Combine(main, Path.GetFileName(f))).Order(StringComparer.Ordinal).ToArray();

        var r = cli.Run("dataset", "clean", dir, "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json;
        Assert.Equal(expected, j.GetProperty("flagged").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal([Path.Combine(main, "grey.png")], j.GetProperty("no_face").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, j.GetProperty("identities").GetInt32());
        Assert.Equal(12, j.GetProperty("images").GetInt32());
        Assert.Equal(1, j.GetProperty("aligned_input").GetInt32()); // the crop was embedded without detection
        Assert.All(expected, f => Assert.True(File.Exists(f), "reporting alone must not move " + f));

        var moveTo = Path.Combine(dir, "..", Path.GetFileName(dir) + "-noise");
        var moved = cli.Run("dataset", "clean", dir, "--move-to", moveTo);

        Assert.True(moved.ExitCode == 0, moved.Stderr);
        Assert.Contains("3 suspected", moved.Stdout);
        Assert.All(intruders, f => Assert.True(File.Exists(Path.Combine(moveTo, "Colin_Powell", Path.GetFileName(f)))));
        Assert.Equal(own.Select(Path.GetFileName).Append("grey.png").Order(StringComparer.Ordinal),
                     Directory.GetFiles(main).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(4, Directory.GetFiles(hanks).Length);
        Assert.False(Directory.Exists(Path.Combine(moveTo, "Tom_Hanks")));
    }

    [Fact]
    public void EvalBin_AlignedDevPairs_ReportsTheEvalPairsFiguresWithHighAccuracy()
    {
        var crops = AlignedCrops();
        // 6 people × 3 crops: every same-person pair (18 genuine) and 18 impostor pairs, alternating so each fold has both kinds.
        var genuine = crops.SelectMany(p => new[] { (p.Value[0], p.Value[1]), (p.Value[0], p.Value[2]), (p.Value[1], p.Value[2]) }).ToList();
        var people = crops.Keys.ToArray();
        var impostor = Enumerable.Range(0, 18).Select(k => (crops[people[k % 6]][k / 6], crops[people[(k + 1 + k / 6) % 6]][(k + 1) % 3])).ToList();
        var images = new List<byte[]>();
        var issame = new List<bool>();
        for (int k = 0; k < 18; k++)
        {
            images.Add(genuine[k].Item1);
            images.Add(genuine[k].Item2);
            issame.Add(true);
            images.Add(impostor[k].Item1);
            images.Add(impostor[k].Item2);
            issame.Add(false);
        }
        images[5] = Rescaled(images[5], 120); // one crop at another scale: resized with a note
        var bin = Path.Combine(NewDir("bin"), "dev.bin");
        VerificationBin.Write(bin, images, issame);

        var r = cli.Run("eval", "bin", bin, "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json;
        foreach (var key in new[] { "accuracy", "accuracy_std", "threshold", "tar_at_far_1e-2", "tar_at_far_1e-3", "auc", "genuine_mean", "impostor_mean" })
            Assert.InRange(j.GetProperty(key).GetDouble(), -1, 1);
        Assert.Equal(36, j.GetProperty("pairs").GetInt32());
        Assert.Equal(18, j.GetProperty("genuine").GetInt32());
        Assert.Equal(18, j.GetProperty("impostor").GetInt32());
        Assert.Equal(0, j.GetProperty("no_face").GetInt32());
        Assert.Equal(1, j.GetProperty("resized").GetInt32());
        Assert.Contains("image 5, 120×120", r.Stderr);
        Assert.True(j.GetProperty("accuracy").GetDouble() >= 0.9, r.Stdout);
        Assert.True(j.GetProperty("auc").GetDouble() >= 0.95, r.Stdout);
        Assert.True(j.GetProperty("genuine_mean").GetDouble() > j.GetProperty("impostor_mean").GetDouble() + 0.3, r.Stdout);

        var noFlip = cli.Run("eval", "bin", bin, "--no-flip");
        Assert.True(noFlip.ExitCode == 0, noFlip.Stderr);
        Assert.Contains("accuracy", noFlip.Stdout);
        Assert.DoesNotContain("(flip)", noFlip.Stdout);
    }

    [Fact]
    public void EvalBin_CorruptFileOrImage_ExitsWith2AndAOneLineError()
    {
        var dir = NewDir("bad-bin");
        var crop = File.ReadAllBytes(Directory.GetFiles(Path.Combine(CliRunner.Shared, "data", "faces-dev-crops", "Tom_Hanks"))[0]);
        var good = new MemoryStream();
        VerificationBin.Write(good, [crop, crop, crop, crop], [true, false]);
        var truncated = Path.Combine(dir, "truncated.bin");
        File.WriteAllBytes(truncated, good.ToArray()[..(int)(good.Length / 2)]);
        var garbage = Path.Combine(dir, "garbage.bin");
        File.WriteAllText(garbage, "definitely not a pickle");
        var badImage = Path.Combine(dir, "bad-image.bin");
        VerificationBin.Write(badImage, [crop, crop, crop, "not an image"u8.ToArray()], [true, false]);

        foreach (var (file, says) in new[] { (truncated, "truncated.bin"), (garbage, "garbage.bin"), (badImage, "image 3") })
        {
            var r = cli.Run("eval", "bin", file, "--json");
            Assert.Equal(2, r.ExitCode);
            var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("error: ", line);
            Assert.Contains(says, line);
            Assert.Equal("", r.Stdout);
        }
    }

    /// <summary>Three 112×112 crops (JPEG bytes) per person of <see cref="EvalPeople"/>, made by `dataset align`.</summary>
    private SortedDictionary<string, byte[][]> AlignedCrops()
    {
        var input = NewDir("bin-in");
        foreach (var p in EvalPeople) CopyInto(Path.Combine(input, p), CliRunner.Photos(p).Take(3));
        var output = NewDir("bin-aligned");
        var r = cli.Run("dataset", "align", input, output, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(18, r.Json.GetProperty("aligned").GetInt32());
        return new SortedDictionary<string, byte[][]>(
            EvalPeople.ToDictionary(p => p, p => Directory.GetFiles(Path.Combine(output, p)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray()),
            StringComparer.Ordinal);
    }

    private static byte[] Rescaled(byte[] jpeg, int side)
    {
        using var mat = Cv2.ImDecode(jpeg, ImreadModes.Color);
        using var big = new Mat();
        Cv2.Resize(mat, big, new Size(side, side));
        Cv2.ImEncode(".jpg", big, out var bytes);
        return bytes;
    }

    private static byte[] GreyPng()
    {
        using var grey = new Mat(200, 200, MatType.CV_8UC3, Scalar.All(128));
        Cv2.ImEncode(".png", grey, out var png);
        return png;
    }
}
