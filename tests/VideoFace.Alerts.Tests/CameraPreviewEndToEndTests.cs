using System.Net;
using System.Text.Json;
using OpenCvSharp;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Testing;

namespace VideoFace.Alerts.Tests;

/// <summary>The embedded host with camera C1 streaming, started once for every class of this collection.</summary>
[CollectionDefinition(Name)]
public sealed class EmbeddedHostCollection : ICollectionFixture<AlertsEndToEndFixture>
{
    public const string Name = "embedded host with camera C1";
}

/// <summary>
/// Camera previews and sighting keyframes over HTTP, on the host of the alert tests: its camera C1 loops a 640×480 video
/// of Tony Blair (enrolled) and a stranger, each face followed by grey.
/// </summary>
[Collection(EmbeddedHostCollection.Name)]
public sealed class CameraPreviewEndToEndTests(AlertsEndToEndFixture fx)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Preview_StreamingCamera_FrameJpegOfItsSizeWithNamedFaceBoxesInside()
    {
        JsonElement preview = default;
        await Poll.UntilAsync(() =>
        {
            preview = TryGet($"/api/cameras/{AlertsEndToEndFixture.Camera}/preview").GetAwaiter().GetResult() ?? default;
            return preview.ValueKind == JsonValueKind.Object
                && preview.GetProperty("faces").EnumerateArray().Any(f => f.GetProperty("identity_name").GetString() == "Tony Blair");
        }, Deadline, "a preview of C1 with Tony Blair's face named in it", Every);

        Assert.Equal(AlertsEndToEndFixture.Camera, preview.GetProperty("camera").GetString());
        int width = preview.GetProperty("width").GetInt32(), height = preview.GetProperty("height").GetInt32();
        Assert.Equal((640, 480), (width, height));
        Assert.InRange(preview.GetProperty("captured_at").GetDateTimeOffset(), fx.StartedAt, DateTimeOffset.UtcNow);
        var dataUrl = preview.GetProperty("image").GetString()!;
        Assert.StartsWith("data:image/jpeg;base64,", dataUrl);
        using var image = DecodeJpeg(Convert.FromBase64String(dataUrl[(dataUrl.IndexOf(',') + 1)..]));
        Assert.Equal((width, height), (image.Cols, image.Rows));

        var tony = preview.GetProperty("faces").EnumerateArray().First(f => f.GetProperty("identity_name").GetString() == "Tony Blair");
        Assert.Equal(fx.TonyId, tony.GetProperty("identity_id").GetString());
        Assert.StartsWith(AlertsEndToEndFixture.Camera + "-", tony.GetProperty("track_id").GetString());
        Assert.InRange(tony.GetProperty("score").GetSingle(), 0.1f, 1f);
        foreach (var face in preview.GetProperty("faces").EnumerateArray())
            AssertBoxInside(face.GetProperty("box"), width, height, minSide: 20);
    }

    [Fact]
    public async Task PreviewJpg_StreamingCamera_IsAnImageJpegOfTheFrame()
    {
        byte[]? jpeg = null;
        await Poll.UntilAsync(() =>
        {
            using var r = fx.Http.GetAsync($"/api/cameras/{AlertsEndToEndFixture.Camera}/preview.jpg").GetAwaiter().GetResult();
            if (r.StatusCode != HttpStatusCode.OK) return false;
            Assert.Equal("image/jpeg", r.Content.Headers.ContentType?.MediaType);
            jpeg = r.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            return true;
        }, Deadline, "GET preview.jpg of C1 answers 200", Every);
        using var image = DecodeJpeg(jpeg!);
        Assert.Equal((640, 480), (image.Cols, image.Rows));
    }

    [Theory]
    [InlineData("/api/cameras/no-such-camera/preview")]
    [InlineData("/api/cameras/no-such-camera/preview.jpg")]
    public async Task Preview_UnknownCamera_NotFoundWithAnError(string path)
    {
        using var r = await fx.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Contains("no-such-camera", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Search_HitOfTheEnrolledPerson_KeyframeUrlFetchesTheSceneWithTheFaceBoxInside()
    {
        var photo = TestData.Face("Tony_Blair", 1); // neither in the video nor enrolled
        JsonElement hit = default;
        await Poll.UntilAsync(() =>
        {
            var hits = fx.PostPhotosAsync("/api/search", "photo", photo).GetAwaiter().GetResult().GetProperty("hits").EnumerateArray();
            hit = hits.FirstOrDefault(h => h.GetProperty("identity_id").GetString() == fx.TonyId
                && h.GetProperty("keyframe_url").ValueKind == JsonValueKind.String);
            return hit.ValueKind == JsonValueKind.Object;
        }, Deadline, "a search hit of Tony Blair with a keyframe", TimeSpan.FromMilliseconds(500));

        var url = hit.GetProperty("keyframe_url").GetString()!;
        Assert.StartsWith("/api/blobs/keyframes/", url);
        using var plain = new HttpClient { BaseAddress = fx.Http.BaseAddress }; // the signed URL needs no API key, as in an <img>
        using var r = await plain.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("image/jpeg", r.Content.Headers.ContentType?.MediaType);
        using var image = DecodeJpeg(await r.Content.ReadAsByteArrayAsync());
        Assert.Equal((640, 480), (image.Cols, image.Rows));
        AssertBoxInside(hit.GetProperty("keyframe_box"), image.Cols, image.Rows, minSide: 20);

        // the person's history links the same scene
        var person = await fx.GetAsync($"/api/persons/{fx.TonyId}");
        var entry = person.GetProperty("history").EnumerateArray().First(h => h.GetProperty("track_id").GetString() == hit.GetProperty("track_id").GetString());
        Assert.StartsWith("/api/blobs/keyframes/", entry.GetProperty("keyframe_url").GetString());
    }

    private async Task<JsonElement?> TryGet(string path)
    {
        using var r = await fx.Http.GetAsync(path);
        if (r.StatusCode == HttpStatusCode.NotFound) return null; // no frame analysed yet
        r.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static Mat DecodeJpeg(byte[] bytes)
    {
        Assert.True(bytes.Length > 2 && bytes[0] == 0xFF && bytes[1] == 0xD8, "JPEG bytes");
        var image = Cv2.ImDecode(bytes, ImreadModes.Color);
        Assert.False(image.Empty(), "the JPEG decodes");
        return image;
    }

    /// <summary>[x, y, width, height] lies within the image and is at least <paramref name="minSide"/> pixels a side.</summary>
    private static void AssertBoxInside(JsonElement box, int width, int height, float minSide)
    {
        var b = box.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(4, b.Length);
        Assert.InRange(b[0], 0, width);
        Assert.InRange(b[1], 0, height);
        Assert.InRange(b[2], minSide, width - b[0]);
        Assert.InRange(b[3], minSide, height - b[1]);
    }
}
