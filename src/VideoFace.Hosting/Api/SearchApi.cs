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
    /// (repeatable), <c>from</c>, <c>to</c>, <c>min_similarity</c>. JSON: <see cref="EmbeddingSearch"/>. Only hits at or
    /// above the gallery's match threshold come back unless <c>min_similarity</c> asks for less; hits below the threshold
    /// are then marked <c>weak</c>. An answer without hits says why in <c>message</c>.
    /// </summary>
    public static async Task<Ok<SearchResponse>> SearchAsync(HttpRequest request, IServiceProvider services, IGrainFactory grains, BlobUrls urls,
        CancellationToken ct)
    {
        var index = services.GetService<ISightingIndex>() ?? throw new ApiProblemException(503, "no vector index is configured on this host");
        var query = request.HasFormContentType ? await PhotoQueryAsync(request, grains, ct) : await EmbeddingQueryAsync(request, index, ct);
        // a search answers only what the gallery would name a face by, unless the caller asks for weaker hits explicitly
        float threshold = (await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).GetSettingsAsync()).MatchThreshold;
        float min = query.MinSimilarity ?? threshold;
        var hits = SightingGrouping.ByTrack(await index.SearchAsync(query with { MinSimilarity = min }, ct))
            .Select(h => new SearchHitResponse(
                h.Sighting.CameraId, h.Sighting.Start, h.Sighting.End, h.Similarity, h.Sighting.IdentityId, h.Sighting.IdentityName, h.Sighting.TrackId,
                urls.For(h.Sighting.ThumbnailKey), urls.For(h.Sighting.KeyframeKey),
                h.Sighting.KeyframeBox is { } b ? [b.X, b.Y, b.Width, b.Height] : null,
                Weak: h.Similarity < threshold))
            .ToArray();
        int weak = hits.Count(h => h.Weak);
        var message = hits.Length == 0
            ? Invariant($"no sighting at or above similarity {min:0.00}") + (query.MinSimilarity is null
                ? " (the match threshold; a lower min_similarity also returns weak hits, which may be someone else)"
                : "")
            : weak > 0
                ? Invariant($"{weak} of {hits.Length} hits are below the match threshold {threshold:0.00} and marked weak: they may show someone else")
                : null;
        return TypedResults.Ok(new SearchResponse(hits, min, threshold, message));
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
            MinSimilarity: MinSimilarity(string.IsNullOrWhiteSpace(form["min_similarity"]) ? null
                : float.TryParse(form["min_similarity"], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s
                : throw new BadInputException("min_similarity must be a number between 0 and 1")));
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
        return new SightingQuery(e, Math.Clamp(body.TopK ?? 50, 1, 1000), body.Cameras, body.From, body.To, body.IdentityId, MinSimilarity(body.MinSimilarity));
    }

    /// <summary>A cosine the caller may ask for: 0 to 1 (a negative one would return every sighting as a "match").</summary>
    private static float? MinSimilarity(float? value) => value is not { } v ? null
        : v is >= 0 and <= 1 ? v
        : throw new BadInputException(Invariant($"min_similarity must be between 0 and 1 (was {v})"));

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);

    private static int? Int(string? value, string field) => string.IsNullOrEmpty(value) ? null
        : int.TryParse(value, CultureInfo.InvariantCulture, out var v) ? v : throw new BadInputException($"{field} must be a whole number");

    private static DateTimeOffset? Time(string? value, string field) => string.IsNullOrEmpty(value) ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new BadInputException($"{field} must be a date and time (ISO 8601)");
}
