using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using VideoFace.Abstractions;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Grains.Placement;
using VideoFace.Index;
using static VideoFace.Api.Tests.ApiHostFixture;

namespace VideoFace.Api.Tests;

/// <summary>
/// Identities the API can stand behind, against the real embedded host with real faces: names that slug alike stay
/// different people, the same name adds to its person, photos of more than one person are refused (unless forced), and a
/// search answers only at or above the match threshold unless asked for weaker (marked) hits.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class TrustedIdentityTests(ApiHostFixture fx)
{
    /// <summary>The gallery's default match threshold (GalleryOptions.MatchThreshold); the fixture host does not change it.</summary>
    private const float MatchThreshold = 0.45f;

    [Fact]
    public async Task Enrol_NamesWithTheSameSlug_AreThreePersonsWithTheirOwnNames_TheSameNameAddsToItsPerson()
    {
        using var admin = fx.Client(fx.AdminKey);
        var a = await ReadAsync(await EnrolAsync(admin, "Anne-Marie Test", Photo("Al_Gore", 1), Photo("Al_Gore", 2)));
        var b = await ReadAsync(await EnrolAsync(admin, "Anne Marie Test", Photo("Angela_Merkel", 1), Photo("Angela_Merkel", 2)));
        var c = await ReadAsync(await EnrolAsync(admin, "anne_marie_test", Photo("Bill_Gates", 1), Photo("Bill_Gates", 2)));

        var ids = new[] { a, b, c }.Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Equal(["p-anne-marie-test", "p-anne-marie-test-2", "p-anne-marie-test-3"], ids);
        foreach (var (id, name) in ids.Zip(["Anne-Marie Test", "Anne Marie Test", "anne_marie_test"]))
        {
            var person = (await ReadAsync(await admin.GetAsync($"/api/persons/{id}"))).GetProperty("person");
            Assert.Equal(name, person.GetProperty("name").GetString());
        }

        // exactly the same name (here with surrounding spaces) adds photos to that person, and its name stays as it was
        var again = await ReadAsync(await EnrolAsync(admin, "  Anne Marie Test ", Photo("Angela_Merkel", 3)));
        Assert.Equal((ids[1], "Anne Marie Test", 3), (again.GetProperty("id").GetString(), again.GetProperty("name").GetString(), again.GetProperty("photos_total").GetInt32()));
        var persons = await ReadAsync(await admin.GetAsync("/api/persons"));
        Assert.Equal(3, persons.EnumerateArray().Count(p => p.GetProperty("id").GetString()!.StartsWith("p-anne-marie-test", StringComparison.Ordinal)));

        // a different case is a different name: it does not add to (and mix into) Anne Marie Test
        var lower = await ReadAsync(await EnrolAsync(admin, "anne marie test", Photo("Bill_Gates", 3)));
        Assert.Equal("p-anne-marie-test-4", lower.GetProperty("id").GetString());

        // renaming onto a name another person has is a conflict; nothing changes
        using var rename = await admin.PostAsJsonAsync($"/api/persons/{ids[2]}/name", new { name = "Anne-Marie Test" });
        Assert.Equal(HttpStatusCode.Conflict, rename.StatusCode);
        Assert.Contains(ids[0], (await ReadProblemAsync(rename)).GetProperty("detail").GetString());
        var unchanged = (await ReadAsync(await admin.GetAsync($"/api/persons/{ids[2]}"))).GetProperty("person");
        Assert.Equal("anne_marie_test", unchanged.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Enrol_AnAccentSpelledAnotherWay_IsAnotherPerson_NeverMixedIn()
    {
        using var admin = fx.Client(fx.AdminKey);
        // names compare exactly (no Unicode normalisation in invariant globalization mode): a decomposed accent is another
        // name, so it makes a second person (mergeable) rather than adding photos to someone who may not be the same
        var composed = await ReadAsync(await EnrolAsync(admin, "Ren\u00e9e Trust", Photo("Arianna_Huffington", 1)));
        var decomposed = await ReadAsync(await EnrolAsync(admin, "Rene\u0301e Trust", Photo("Arianna_Huffington", 2)));
        Assert.Equal(("p-ren\u00e9e-trust", 1), (composed.GetProperty("id").GetString(), composed.GetProperty("photos_total").GetInt32()));
        Assert.Equal(("p-renee-trust", 1), (decomposed.GetProperty("id").GetString(), decomposed.GetProperty("photos_total").GetInt32()));
        Assert.Equal("Rene\u0301e Trust", decomposed.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Enrol_PhotosOfTwoPeople_IsRefusedNamingTheOutlier_AndAcceptedWithForce()
    {
        using var admin = fx.Client(fx.AdminKey);
        var photos = new[] { Photo("Ari_Fleischer", 1), Photo("Ari_Fleischer", 2), Photo("Ari_Fleischer", 3), Photo("Britney_Spears", 1) };
        using var refused = await EnrolAsync(admin, "Mixed Batch", photos);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await ReadProblemAsync(refused);
        var outlier = Assert.Single(problem.GetProperty("outliers").EnumerateArray());
        Assert.Equal(Path.GetFileName(photos[3]), outlier.GetProperty("file").GetString());
        Assert.Equal("apart_from_batch", outlier.GetProperty("reason").GetString());
        Assert.InRange(outlier.GetProperty("similarity").GetSingle(), -1f, 0.25f);
        Assert.Contains(Path.GetFileName(photos[3]), problem.GetProperty("detail").GetString());
        Assert.Contains("force=true", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(Path.GetFileName(photos[0]), problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(await NamesAsync(admin), n => n == "Mixed Batch"); // nothing was enrolled

        // forced (query parameter): enrolled, and the answer still names what was forced in
        var forced = await ReadAsync(await EnrolAsync(admin, "Mixed Batch", photos, query: "?force=true"));
        Assert.Equal(4, forced.GetProperty("photos_total").GetInt32());
        Assert.Equal(Path.GetFileName(photos[3]), Assert.Single(forced.GetProperty("outliers").EnumerateArray()).GetProperty("file").GetString());
    }

    [Fact]
    public async Task Enrol_TwoAgainstTwo_RefusesEveryPhoto_FormFieldForceEnrols()
    {
        using var admin = fx.Client(fx.AdminKey);
        var photos = new[] { Photo("Adam_Sandler", 1), Photo("Amelia_Vega", 1), Photo("Adam_Sandler", 2), Photo("Amelia_Vega", 2) };
        using var refused = await EnrolAsync(admin, "Two Against Two", photos);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var outliers = (await ReadProblemAsync(refused)).GetProperty("outliers").EnumerateArray().ToList();
        Assert.Equal(photos.Select(Path.GetFileName), outliers.Select(o => o.GetProperty("file").GetString()));
        Assert.All(outliers, o => Assert.Equal("no_main_group", o.GetProperty("reason").GetString()));

        var forced = await ReadAsync(await EnrolAsync(admin, "Two Against Two", photos, force: "true"));
        Assert.Equal(4, forced.GetProperty("photos_total").GetInt32());
        using var bad = await EnrolAsync(admin, "Two Against Two", photos, force: "perhaps");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("force must be true or false", (await ReadProblemAsync(bad)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Enrol_AddingSomeoneElsesPhotoToAPerson_IsRefused_TheirOwnIsAdded()
    {
        using var admin = fx.Client(fx.AdminKey);
        var first = await ReadAsync(await EnrolAsync(admin, "Trust Addition", Photo("Alec_Baldwin", 1), Photo("Alec_Baldwin", 2)));
        var id = first.GetProperty("id").GetString();

        using var other = await EnrolAsync(admin, "Trust Addition", Photo("Bob_Hope", 1));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var outlier = Assert.Single((await ReadProblemAsync(other)).GetProperty("outliers").EnumerateArray());
        Assert.Equal("not_the_person", outlier.GetProperty("reason").GetString());
        Assert.Contains("'Trust Addition' as enrolled", outlier.GetProperty("detail").GetString());

        var own = await ReadAsync(await EnrolAsync(admin, "Trust Addition", Photo("Alec_Baldwin", 3)));
        Assert.Equal((id, 3), (own.GetProperty("id").GetString(), own.GetProperty("photos_total").GetInt32()));
        Assert.False(own.TryGetProperty("outliers", out var o) && o.ValueKind == JsonValueKind.Array);
    }

    [Fact]
    public async Task Search_NeverSeenFace_ReturnsNoHitsAndSaysWhy_AskingLowerReturnsWeakHits()
    {
        await SeedSightingsAsync();
        using var admin = fx.Client(fx.AdminKey);
        var stranger = Photo("Bud_Selig", 1); // nobody like him was ever seen (the index holds Tony Blair's sightings)

        var none = await SearchAsync(admin, stranger);
        Assert.Empty(none.GetProperty("hits").EnumerateArray());
        Assert.Equal(MatchThreshold, none.GetProperty("min_similarity").GetSingle(), 3);
        Assert.Equal(MatchThreshold, none.GetProperty("match_threshold").GetSingle(), 3);
        Assert.Contains("no sighting at or above similarity 0.45", none.GetProperty("message").GetString());

        var weak = await SearchAsync(admin, stranger, ("min_similarity", "0"));
        var hits = weak.GetProperty("hits").EnumerateArray().ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h =>
        {
            Assert.True(h.GetProperty("weak").GetBoolean());
            Assert.InRange(h.GetProperty("similarity").GetSingle(), 0f, MatchThreshold);
        });
        Assert.Contains("marked weak", weak.GetProperty("message").GetString());
        Assert.Equal(0f, weak.GetProperty("min_similarity").GetSingle());

        // a higher bar than the threshold is the caller's to set too
        var strict = await SearchAsync(admin, Photo("Tony_Blair", 1), ("min_similarity", "0.99"));
        Assert.Empty(strict.GetProperty("hits").EnumerateArray());
        Assert.Equal("no sighting at or above similarity 0.99", strict.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Search_SeenPerson_ReturnsTheirSightingsAtOrAboveTheThreshold_NoneWeak()
    {
        await SeedSightingsAsync();
        using var admin = fx.Client(fx.AdminKey);
        var answer = await SearchAsync(admin, Photo("Tony_Blair", 1)); // a photo not among the seeded sightings
        var hits = answer.GetProperty("hits").EnumerateArray().ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h =>
        {
            Assert.Equal(fx.TonyId, h.GetProperty("identity_id").GetString());
            Assert.False(h.GetProperty("weak").GetBoolean());
            Assert.InRange(h.GetProperty("similarity").GetSingle(), MatchThreshold, 1f);
        });
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("message").ValueKind);

        // the same by embedding (JSON)
        var embedding = await EmbedAsync(Photo("Tony_Blair", 1));
        using var json = await admin.PostAsJsonAsync("/api/search", new { embedding, cameras = new[] { Camera } });
        var byEmbedding = await ReadAsync(json);
        Assert.Equal(hits.Count, byEmbedding.GetProperty("hits").GetArrayLength());
    }

    [Theory]
    [InlineData("-0.1")]
    [InlineData("NaN")]
    [InlineData("1.5")]
    [InlineData("Infinity")]
    [InlineData("a lot")]
    public async Task Search_InvalidMinSimilarity_IsA400Problem(string value)
    {
        using var admin = fx.Client(fx.AdminKey);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(Photo("Tony_Blair", 1))), "photo", "tony.jpg" },
            { new StringContent(value), "min_similarity" },
        };
        using var r = await admin.PostAsync("/api/search", form);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("min_similarity", (await ReadProblemAsync(r)).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(2.0)]
    public async Task Search_InvalidMinSimilarityInJson_IsA400Problem(double value)
    {
        using var admin = fx.Client(fx.AdminKey);
        var embedding = Enumerable.Repeat(1f / MathF.Sqrt(fx.Dimension), fx.Dimension).ToArray();
        using var r = await admin.PostAsJsonAsync("/api/search", new { embedding, min_similarity = value });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("min_similarity must be between 0 and 1", (await ReadProblemAsync(r)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Cli_PersonAddOfTwoPeople_FailsNamingTheOutlier_ForceEnrols()
    {
        var photos = new[] { Photo("Amelia_Vega", 1), Photo("Amelia_Vega", 2), Photo("Amelia_Vega", 3), Photo("Bob_Stoops", 1) };
        var refused = await RunCliAsync(["person", "add", "Cli Mixed", .. photos]);
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("422", refused.Stderr);
        Assert.Contains(Path.GetFileName(photos[3]), refused.Stderr);
        Assert.Contains("--force", refused.Stderr);

        var forced = await RunCliAsync(["person", "add", "Cli Mixed", .. photos, "--force", "--json"]);
        Assert.True(forced.Code == 0, forced.Stderr);
        using var doc = JsonDocument.Parse(forced.Stdout);
        Assert.Equal(4, doc.RootElement.GetProperty("photos_total").GetInt32());
        Assert.Equal(Path.GetFileName(photos[3]), Assert.Single(doc.RootElement.GetProperty("outliers").EnumerateArray()).GetProperty("file").GetString());
    }

    [Fact]
    public async Task Cli_Search_SaysWhyNothingMatched_MinSimilarityShowsWeakHits_BadValueFails()
    {
        await SeedSightingsAsync();
        var stranger = Photo("Bud_Selig", 1);
        var none = await RunCliAsync(["search", stranger, "--camera", Camera]);
        Assert.True(none.Code == 0, none.Stderr);
        Assert.Contains("no sighting at or above similarity 0.45", none.Stdout);

        var weak = await RunCliAsync(["search", stranger, "--camera", Camera, "--min-similarity", "0", "--json"]);
        Assert.True(weak.Code == 0, weak.Stderr);
        using var doc = JsonDocument.Parse(weak.Stdout);
        var hits = doc.RootElement.GetProperty("hits").EnumerateArray().ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.True(h.GetProperty("weak").GetBoolean()));

        var bad = await RunCliAsync(["search", stranger, "--min-similarity", "1.5"]);
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("--min-similarity must be between 0 and 1", bad.Stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(string[] args)
    {
        var dll = Path.Combine(RepoPaths.Root, "clients", "VideoFace.Cli", "bin", "Release", "net10.0", "videoface.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args.Concat(["--server", fx.BaseAddress.ToString().TrimEnd('/'), "--api-key", fx.AdminKey])) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (p.ExitCode, await stdout, await stderr);
    }

    private const string Camera = "trust-cam";

    /// <summary>
    /// Tony Blair's sightings on a camera of this test, from three real photos embedded by the host, written to the host's
    /// own index (what a camera session writes per track); idempotent by sighting id.
    /// </summary>
    private async Task SeedSightingsAsync()
    {
        var index = fx.Host!.Services.GetRequiredService<ISightingIndex>();
        var start = DateTimeOffset.Parse("2026-01-05T10:00:00Z", CultureInfo.InvariantCulture);
        var sightings = new List<Sighting>();
        foreach (var n in new[] { 2, 3, 4 })
            sightings.Add(new Sighting($"trust-{n}", await EmbedAsync(Photo("Tony_Blair", n)), Camera, start.AddMinutes(n), start.AddMinutes(n + 1),
                $"trust-t{n}", fx.TonyId, SeedPersonName, 0.6f, null));
        await index.UpsertAsync(sightings);
    }

    private async Task<float[]> EmbedAsync(string photo)
    {
        var grains = fx.Host!.Services.GetRequiredService<IGrainFactory>();
        var faces = await grains.GetGrain<IInferenceGrain>(DeviceKey.Anywhere).AnalyzeImageAsync(await File.ReadAllBytesAsync(photo));
        return faces[0].Embedding;
    }

    private static async Task<JsonElement> SearchAsync(HttpClient http, string photo, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(photo)), "photo", Path.GetFileName(photo) } };
        form.Add(new StringContent(Camera), "camera");
        foreach (var (n, v) in fields) form.Add(new StringContent(v), n);
        return await ReadAsync(await http.PostAsync("/api/search", form));
    }

    private static Task<HttpResponseMessage> EnrolAsync(HttpClient http, string name, params string[] photos) => EnrolAsync(http, name, photos, null, "");

    private static async Task<HttpResponseMessage> EnrolAsync(HttpClient http, string name, string[] photos, string? force = null, string query = "")
    {
        using var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        if (force is not null) form.Add(new StringContent(force), "force");
        foreach (var p in photos) form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(p)), "files", Path.GetFileName(p));
        return await http.PostAsync("/api/persons" + query, form);
    }

    private static async Task<List<string?>> NamesAsync(HttpClient http) =>
        (await ReadAsync(await http.GetAsync("/api/persons"))).EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();

    /// <summary>The <paramref name="n"/>-th photo (1-based, in file-name order) of a dev identity.</summary>
    private static string Photo(string person, int n) =>
        Directory.GetFiles(Path.Combine(TestData.Faces, person)).Order(StringComparer.Ordinal).ElementAt(n - 1);
}
