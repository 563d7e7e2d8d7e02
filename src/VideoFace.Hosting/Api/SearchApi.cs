using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;
using VideoFace.Hosting.Api.Contracts;
using VideoFace.Index;

namespace VideoFace.Hosting.Api;

/// <summary>POST /api/search: find past sightings of the face in a photo (multipart) or of an embedding (JSON), best track first.</summary>
public static class SearchApi
{
    public static RouteGroupBuilder MapSearchApi(this RouteGroupBuilder api)
    {
        api.MapPost("/search", SearchAsync).WithName("Search").WithSummary("Search past sightings by photo or embedding").WithTags("Search").Problems(400, 413, 503)
            // JSON (an embedding) or multipart (a photo and filter fields, described by ApiOpenApi)
            .Accepts<EmbeddingSearch>("application/json", "multipart/form-data")
            .DisableAntiforgery().WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ApiLimits.MaxUploadBytes));
        return api;
    }

    /// <summary>
    /// Multipart: <c>photo</c>, and optionally <c>face</c> (which face of the photo, 0 = largest), <c>top_k</c>, <c>camera</c>
    /// (repeatable), <c>from</c>, <c>to</c>, <c>min_similarity</c>. JSON: <see cref="EmbeddingSearch"/>.
    /// </summary>
    public static async Task<Ok<SearchHitResponse[]>> SearchAsync(HttpRequest request, IServiceProvider services, IGrainFactory grains, BlobUrls urls,
        CancellationToken ct)
    {
        var index = services.GetService<ISightingIndex>() ?? throw new ApiProblemException(503, "no vector index is configured on this host");
        var query = request.HasFormContentType ? await PhotoQueryAsync(request, grains, ct) : await EmbeddingQueryAsync(request, index, ct);
        var hits = SightingGrouping.ByTrack(await index.SearchAsync(query, ct));
        return TypedResults.Ok(hits.Select(h => new SearchHitResponse(
            h.Sighting.CameraId, h.Sighting.Start, h.Sighting.End, h.Similarity, h.Sighting.IdentityId, h.Sighting.IdentityName, h.Sighting.TrackId,
            urls.For(h.Sighting.ThumbnailKey), urls.For(h.Sighting.KeyframeKey),
            h.Sighting.KeyframeBox is { } b ? [b.X, b.Y, b.Width, b.Height] : null)).ToArray());
    }

    private static async Task<SightingQuery> PhotoQueryAsync(HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        var photo = form.Files.FirstOrDefault() ?? throw new BadInputException("upload a photo (multipart field 'photo')");
        // an unreadable photo is the decoder's InvalidImageException, a 400 in the one problem mapping
        var faces = await grains.GetGrain<IInferenceGrain>(DeviceKey.Anywhere).AnalyzeImageAsync(await Uploads.ReadAsync(photo, ct));
        if (faces.Count == 0) throw new BadInputException("no face found in the photo");
        int pick = Int(form["face"], "face") ?? 0;
        if (pick < 0 || pick >= faces.Count) throw new BadInputException($"face {pick} does not exist; the photo has {faces.Count}");
        var cameras = form["camera"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList();
        ApiLimits.Count(cameras, "camera");
        return new SightingQuery(faces[pick].Embedding,
            TopK: Math.Clamp(Int(form["top_k"], "top_k") ?? 50, 1, 1000),
            Cameras: cameras.Count > 0 ? cameras : null,
            From: Time(form["from"], "from"),
            To: Time(form["to"], "to"),
            MinSimilarity: float.TryParse(form["min_similarity"], CultureInfo.InvariantCulture, out var s) ? s : null);
    }

    private static async Task<SightingQuery> EmbeddingQueryAsync(HttpRequest request, ISightingIndex index, CancellationToken ct)
    {
        if (!request.HasJsonContentType()) throw new ApiProblemException(415, "send a photo (multipart/form-data) or JSON (application/json) with an embedding");
        var body = await request.ReadFromJsonAsync<EmbeddingSearch>(ApiEndpoints.Json, ct);
        if (body?.Embedding is not { Length: > 0 } e) throw new BadInputException("send a photo (multipart) or JSON with an embedding");
        if (e.Length != index.Dimension) throw new BadInputException($"embedding has {e.Length} values, the index {index.Dimension}");
        if (!e.All(float.IsFinite)) throw new BadInputException("embedding has values that are not finite numbers");
        if (e.All(v => v == 0)) throw new BadInputException("embedding is all zeros (it has no direction to compare)");
        ApiLimits.Count(body.Cameras, "cameras");
        if (body.IdentityId is { Length: > ApiLimits.MaxIdLength }) throw new BadInputException($"identity_id has more than {ApiLimits.MaxIdLength} characters");
        return new SightingQuery(e, Math.Clamp(body.TopK ?? 50, 1, 1000), body.Cameras, body.From, body.To, body.IdentityId, body.MinSimilarity);
    }

    private static int? Int(string? value, string field) => string.IsNullOrEmpty(value) ? null
        : int.TryParse(value, CultureInfo.InvariantCulture, out var v) ? v : throw new BadInputException($"{field} must be a whole number");

    private static DateTimeOffset? Time(string? value, string field) => string.IsNullOrEmpty(value) ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new BadInputException($"{field} must be a date and time (ISO 8601)");
}
