using System.Diagnostics;
using System.Text.Json;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Testing;

namespace VideoFace.Alerts.Tests;

/// <summary>
/// The real `videoface` program (the CLI built with the solution) against the embedded host of the alert tests:
/// person enrolment in batches, rename and merge errors, rule editing, search with several photos.
/// </summary>
[Collection(EmbeddedHostCollection.Name)]
public sealed class CliAgainstServerTests(AlertsEndToEndFixture fx) : IDisposable
{
    private readonly string _work = TestVideos.TempFolder("cli-server");

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task PersonAdd_TwelvePhotosAndANonImage_GoInBatchesReportsEachFileAndRenameWorks()
    {
        // the dev set has six photos of him: each twice makes twelve files
        var folder = Directory.CreateDirectory(Path.Combine(_work, "biden")).FullName;
        var six = Directory.GetFiles(Path.Combine(TestData.Faces, "Joseph_Biden")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(6, six.Count);
        for (var i = 0; i < 12; i++) File.Copy(six[i % 6], Path.Combine(folder, $"biden{i:00}.jpg"));
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.jpg"), "not a photo at all");

        var add = await RunAsync("person", "add", "Joe Cli", folder, "--json");

        Assert.True(add.ExitCode == 0, add.Stderr);
        var r = add.Json;
        var photos = r.GetProperty("photos").EnumerateArray().ToList();
        Assert.Equal(13, photos.Count); // two requests (8 + 5), one answer listing every file
        Assert.Equal("error", Assert.Single(photos, p => p.GetProperty("file").GetString() == "notes.jpg").GetProperty("status").GetString());
        Assert.InRange(r.GetProperty("photos_total").GetInt32(), 10, 12);
        var id = r.GetProperty("id").GetString()!;

        var rename = await RunAsync("person", "rename", id, "Joseph Biden (CLI)", "--json");
        Assert.True(rename.ExitCode == 0, rename.Stderr);
        Assert.Equal("Joseph Biden (CLI)", rename.Json.GetProperty("name").GetString());

        var merge = await RunAsync("person", "merge", "u-nobody", "--into", id);
        Assert.NotEqual(0, merge.ExitCode);
        Assert.Contains("not a person or identity", merge.Stderr);

        var remove = await RunAsync("person", "remove", id);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
    }

    [Fact]
    public async Task AlertsEdit_ChangesOnlyWhatIsGiven()
    {
        var add = await RunAsync("alerts", "add", "--unknown", "--camera", "C5", "--camera", "C6", "--id", "cli-edit", "--cooldown", "30", "--json");
        Assert.True(add.ExitCode == 0, add.Stderr);

        var edit = await RunAsync("alerts", "edit", "cli-edit", "--name", "strangers at the back", "--window", "Sat,Sun 00:00-23:59 UTC", "--json");

        Assert.True(edit.ExitCode == 0, edit.Stderr);
        var rule = edit.Json;
        Assert.Equal("strangers at the back", rule.GetProperty("name").GetString());
        Assert.Equal("unknown", rule.GetProperty("kind").GetString());
        Assert.Equal(["C5", "C6"], rule.GetProperty("cameras").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(30, rule.GetProperty("cooldown_seconds").GetDouble());
        Assert.Single(rule.GetProperty("windows").EnumerateArray());

        var cleared = await RunAsync("alerts", "edit", "cli-edit", "--all-cameras", "--always", "--json");
        Assert.True(cleared.ExitCode == 0, cleared.Stderr);
        Assert.Empty(cleared.Json.GetProperty("cameras").EnumerateArray());
        Assert.Empty(cleared.Json.GetProperty("windows").EnumerateArray());

        var missing = await RunAsync("alerts", "edit", "no-such-rule", "--name", "x");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no alert rule 'no-such-rule'", missing.Stderr);
        Assert.Equal(0, (await RunAsync("alerts", "remove", "cli-edit")).ExitCode);
    }

    [Fact]
    public async Task Search_TwoPhotos_OneJsonArrayBestFirstEachHitNamingItsPhoto()
    {
        var tony = TestData.Face("Tony_Blair", 1);
        var other = TestData.Face("Tony_Blair", 2);
        List<JsonElement> hits = [];
        await Poll.UntilAsync(() =>
        {
            var r = RunAsync("search", tony, other, "--json").GetAwaiter().GetResult();
            Assert.True(r.ExitCode == 0, r.Stderr);
            hits = r.Json.EnumerateArray().ToList();
            return hits.Select(h => h.GetProperty("photo").GetString()).Distinct().Count() == 2;
        }, TimeSpan.FromSeconds(60), "both photos find sightings", TimeSpan.FromSeconds(1));

        var sims = hits.Select(h => h.GetProperty("similarity").GetSingle()).ToList();
        Assert.Equal(sims.OrderDescending(), sims);
        Assert.All(hits, h => Assert.Contains(h.GetProperty("photo").GetString(), new[] { tony, other }));

        var missing = await RunAsync("search", Path.Combine(_work, "nobody.jpg"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("photo not found", missing.Stderr);
    }

    private sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    /// <summary>`videoface ARGS --server … --api-key …` as a child process (the CLI the solution build put in its bin folder).</summary>
    private async Task<Result> RunAsync(params string[] args)
    {
        var dll = Path.Combine(RepoPaths.Root, "clients", "VideoFace.Cli", "bin", "Release", "net10.0", "videoface.dll");
        Assert.True(File.Exists(dll), $"the CLI is not built: {dll}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args.Concat(["--server", $"http://127.0.0.1:{fx.HttpPort}", "--api-key", fx.ApiKey, "--data", Path.Combine(_work, "data")]))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        return new Result(p.ExitCode, await stdout, await stderr);
    }
}
