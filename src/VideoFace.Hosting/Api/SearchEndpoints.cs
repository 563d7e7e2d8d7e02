using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;
using VideoFace.Index;

namespace VideoFace.Hosting.Api;

/// <summary>POST /api/search: find past sightings of the face in a photo (or of an embedding).</summary>
public static class SearchEndpoints
{
    /// <summary>Body of a JSON search by embedding.</summary>
    public sealed record EmbeddingSearch(float[] Embedding, string[]? Cameras, DateTimeOffset? From, DateTimeOffset? To, int? TopK, float? MinSimilarity, string? IdentityId);

    public static RouteGroupBuilder MapSearch(this RouteGroupBuilder api)
    {
        api.MapPost("/search", async (HttpRequest request, IServiceProvider services, IGrainFactory grains, BlobUrls urls, CancellationToken ct) =>
        {
            var index = services.GetService<ISightingIndex>();
            if (index is null) return Results.Problem("no vector index is configured on this host", statusCode: 503);
            SightingQuery query;
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct);
                var photo = form.Files.FirstOrDefault();
                if (photo is null) return Results.BadRequest(new { error = "upload a photo (multipart field 'photo')" });
                using var ms = new MemoryStream();
                await photo.CopyToAsync(ms, ct);
                IReadOnlyList<AnalyzedFace> faces;
                try
                {
                    faces = await grains.GetGrain<IInferenceGrain>(DeviceKey.Anywhere).AnalyzeImageAsync(ms.ToArray());
                }
                catch (Exception ex) when (ex.Message.Contains("image", StringComparison.OrdinalIgnoreCase))
                {
                    return Results.BadRequest(new { error = ex.Message });
                }
                if (faces.Count == 0) return Results.BadRequest(new { error = "no face found in the photo" });
                int pick = int.TryParse(form["face"], CultureInfo.InvariantCulture, out var f) ? f : 0;
                if (pick < 0 || pick >= faces.Count) return Results.BadRequest(new { error = $"face {pick} does not exist; the photo has {faces.Count}" });
                query = new SightingQuery(faces[pick].Embedding,
                    TopK: int.TryParse(form["top_k"], CultureInfo.InvariantCulture, out var k) ? Math.Clamp(k, 1, 1000) : 50,
                    Cameras: form["camera"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList() is { Count: > 0 } cams ? cams : null,
                    From: DateTimeOffset.TryParse(form["from"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from) ? from : null,
                    To: DateTimeOffset.TryParse(form["to"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var to) ? to : null,
                    MinSimilarity: float.TryParse(form["min_similarity"], CultureInfo.InvariantCulture, out var ms2) ? ms2 : null);
            }
            else
            {
                var body = await request.ReadFromJsonAsync<EmbeddingSearch>(ApiEndpoints.Json, ct);
                if (body?.Embedding is not { Length: > 0 } e) return Results.BadRequest(new { error = "send a photo (multipart) or JSON with an embedding" });
                if (e.Length != index.Dimension) return Results.BadRequest(new { error = $"embedding has {e.Length} values, the index {index.Dimension}" });
                query = new SightingQuery(e, Math.Clamp(body.TopK ?? 50, 1, 1000), body.Cameras, body.From, body.To, body.IdentityId, body.MinSimilarity);
            }
            var hits = SightingGrouping.ByTrack(await index.SearchAsync(query, ct));
            return Results.Ok(hits.Select(h => new
            {
                camera = h.Sighting.CameraId,
                start = h.Sighting.Start,
                end = h.Sighting.End,
                similarity = h.Similarity,
                identity_id = h.Sighting.IdentityId,
                identity_name = h.Sighting.IdentityName,
                track_id = h.Sighting.TrackId,
                thumbnail_url = urls.For(h.Sighting.ThumbnailKey),
                // the whole scene of the track's best face and that face's box in it, [x, y, width, height] in keyframe pixels
                keyframe_url = urls.For(h.Sighting.KeyframeKey),
                keyframe_box = h.Sighting.KeyframeBox is { } b ? new[] { b.X, b.Y, b.Width, b.Height } : null,
            }));
        }).DisableAntiforgery().WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ApiEndpoints.MaxUploadBytes));
        return api;
    }
}
