using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;
using VideoFace.Media.Security;
using VideoFace.Storage;

namespace VideoFace.Hosting.Api;

/// <summary>The HTTP API: cameras, persons (enrolment by photo upload), identities and their history, live events, thumbnails.</summary>
public static class ApiEndpoints
{
    /// <summary>Largest accepted upload (all photos of one request).</summary>
    public const long MaxUploadBytes = 64L * 1024 * 1024;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static IServiceCollection AddVideoFaceApi(this IServiceCollection services)
    {
        services.AddSingleton<EventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<EventHub>());
        services.AddVideoFaceAlertApi();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            foreach (var c in Json.Converters) o.SerializerOptions.Converters.Add(c);
        });
        services.AddOpenApi();
        services.AddProblemDetails();
        return services;
    }

    public static IEndpointRouteBuilder MapVideoFaceApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/health", (IServiceProvider sp) =>
        {
            var host = sp.GetService<Microsoft.Extensions.Options.IOptions<VideoFaceHostOptions>>()?.Value;
            return Results.Ok(new { status = "ok", silo = host?.EffectiveSiloName, devices = host?.DeviceList, profile = host?.Profile.ToString() });
        });
        var api = app.MapGroup("/api");
        MapCameras(api);
        MapPersons(api);
        MapEvents(api);
        api.MapSearch();
        api.MapPersonAdmin();
        api.MapAlerts();
        api.MapCameraPreview();
        // a signed URL (from BlobUrls) needs no API key; its signature and expiry are checked here (the key middleware lets it pass)
        api.MapGet("/blobs/{**key}", async (string key, HttpRequest request, IBlobStore blobs, BlobUrlSigner signer, CancellationToken ct) =>
        {
            if (request.Query.ContainsKey("sig") && !signer.Verify(key, request.Query["exp"].ToString(), request.Query["sig"].ToString()))
                return Results.Json(new { error = "the blob URL's signature is not valid or has expired" }, statusCode: StatusCodes.Status403Forbidden);
            try
            {
                var blob = await blobs.GetAsync(key, ct);
                return blob is { } b ? Results.File(b.Content, b.ContentType) : Results.NotFound();
            }
            catch (ArgumentException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }
        });
        return app;
    }

    /// <summary>Body of PUT /api/cameras/{id}.</summary>
    public sealed record CameraRequest(string Url, double? Fps, bool? Enabled, string? Name, string? Zone);

    private static void MapCameras(RouteGroupBuilder api)
    {
        api.MapGet("/cameras", async (IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).ListAsync();
            var statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<ICameraGrain>(id).GetStatusAsync()));
            return Results.Ok(statuses.Select(CameraJson));
        });
        api.MapGet("/cameras/{id}", async (string id, IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).ListAsync();
            if (!ids.Contains(id)) return Results.NotFound(new { error = $"no camera '{id}'" });
            return Results.Ok(CameraJson(await grains.GetGrain<ICameraGrain>(id).GetStatusAsync()));
        });
        api.MapPut("/cameras/{id}", async (string id, CameraRequest body, IGrainFactory grains, UrlPolicy policy, CancellationToken ct) =>
        {
            if (!IsValidId(id)) return Results.BadRequest(new { error = "camera id: use letters, digits, '-', '_' or '.' (at most 64)" });
            if (string.IsNullOrWhiteSpace(body.Url)) return Results.BadRequest(new { error = "url is required" });
            if (await policy.CheckCameraAsync(body.Url, ct) is { } refused) return Results.BadRequest(new { error = refused.Message, rule = refused.Rule });
            var config = new CameraConfig(body.Url, body.Fps ?? 2, body.Enabled ?? true, body.Name, body.Zone);
            try
            {
                var camera = grains.GetGrain<ICameraGrain>(id);
                await camera.ConfigureAsync(config);
                return Results.Ok(CameraJson(await camera.GetStatusAsync()));
            }
            catch (ArgumentException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }
        });
        api.MapDelete("/cameras/{id}", async (string id, IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).ListAsync();
            if (!ids.Contains(id)) return Results.NotFound(new { error = $"no camera '{id}'" });
            await grains.GetGrain<ICameraGrain>(id).RemoveAsync();
            return Results.NoContent();
        });
    }

    private static object CameraJson(CameraStatus s) => new
    {
        id = s.CameraId,
        url = s.Config?.Url,
        fps = s.Config?.AnalysisFps,
        enabled = s.Config?.Enabled ?? false,
        name = s.Config?.Name,
        zone = s.Config?.Zone,
        health = s.Health.ToString(),
        reason = s.Reason,
        silo = s.Silo,
        frames_analyzed = s.FramesAnalyzed,
        faces_detected = s.FacesDetected,
        tracks_started = s.TracksStarted,
        frames_dropped = s.FramesDropped,
        last_frame_at = s.LastFrameAt,
    };

    private static void MapPersons(RouteGroupBuilder api)
    {
        // enrol: multipart form with field "name" and one or more image files
        api.MapPost("/persons", async (HttpRequest request, IGrainFactory grains, CancellationToken ct) =>
        {
            if (!request.HasFormContentType) return Results.BadRequest(new { error = "send multipart/form-data with a 'name' field and image files" });
            var form = await request.ReadFormAsync(ct);
            var name = form["name"].ToString().Trim();
            if (name.Length == 0) return Results.BadRequest(new { error = "the 'name' field is required" });
            if (form.Files.Count == 0) return Results.BadRequest(new { error = "no image files uploaded" });
            var inference = grains.GetGrain<IInferenceGrain>(DeviceKey.Anywhere);
            var embeddings = new List<float[]>();
            var photos = new List<object>();
            string? space = null;
            foreach (var file in form.Files)
            {
                using var ms = new MemoryStream();
                await file.CopyToAsync(ms, ct);
                try
                {
                    var faces = await inference.AnalyzeImageAsync(ms.ToArray());
                    if (faces.Count == 0)
                    {
                        photos.Add(new { file = file.FileName, status = "no_face" });
                        continue;
                    }
                    embeddings.Add(faces[0].Embedding);
                    photos.Add(new { file = file.FileName, status = faces.Count > 1 ? "several_faces_used_largest" : "ok" });
                }
                catch (Exception ex) when (IsBadImage(ex))
                {
                    photos.Add(new { file = file.FileName, status = "error", error = ex.Message });
                }
            }
            if (embeddings.Count == 0) return Results.BadRequest(new { error = "no usable face in the uploaded photos", photos });
            space ??= (await inference.GetStatsAsync()).EmbeddingSpace;
            var person = await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).EnrollAsync(name, embeddings, space);
            return Results.Ok(new { id = person.IdentityId, name = person.Name, photos_total = person.Photos, photos });
        }).DisableAntiforgery().WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxUploadBytes));

        api.MapGet("/persons", async (IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).ListIdentitiesAsync();
            var summaries = await Task.WhenAll(ids.Select(id => grains.GetGrain<IIdentityGrain>(id).GetSummaryAsync()));
            return Results.Ok(summaries.OrderByDescending(s => s.LastSeen).ThenBy(s => s.Id, StringComparer.Ordinal).Select(PersonJson));
        });
        api.MapGet("/persons/{id}", async (string id, int? limit, IGrainFactory grains, BlobUrls urls) =>
        {
            var ids = await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).ListIdentitiesAsync();
            if (!ids.Contains(id)) return Results.NotFound(new { error = $"no person or identity '{id}'" });
            var identity = grains.GetGrain<IIdentityGrain>(id);
            var summary = await identity.GetSummaryAsync();
            var history = await identity.GetHistoryAsync(Math.Clamp(limit ?? 100, 1, 5000));
            return Results.Ok(new
            {
                person = PersonJson(summary),
                history = history.Select(h => new
                {
                    camera = h.CameraId, track_id = h.TrackId, start = h.Start, end = h.End, similarity = h.Similarity,
                    thumbnail_url = urls.For(h.ThumbnailKey),
                    keyframe_url = urls.For(h.KeyframeKey),
                }),
            });
        });
        api.MapDelete("/persons/{id}", async (string id, IGrainFactory grains) =>
            await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).RemovePersonAsync(id) ? Results.NoContent() : Results.NotFound());
    }

    private static object PersonJson(IdentitySummary s) => new
    {
        id = s.Id, name = s.Name, sightings = s.Sightings, cameras = s.Cameras, first_seen = s.FirstSeen, last_seen = s.LastSeen, visible = s.Visible,
    };

    private static void MapEvents(RouteGroupBuilder api)
    {
        api.MapGet("/events/recent", (EventHub hub, BlobUrls urls, int? count) =>
            Results.Ok(hub.Recent(Math.Clamp(count ?? 100, 1, EventHub.Capacity)).Select(e => EventJson(e, urls))));

        // Server-Sent Events; a reconnecting client sends Last-Event-ID and gets what it missed from the kept log
        api.MapGet("/events", async (HttpContext http, EventHub hub, BlobUrls urls, CancellationToken ct) =>
        {
            long after = long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), out var id) ? id : long.MaxValue;
            if (after == long.MaxValue && long.TryParse(http.Request.Query["after"].ToString(), out var q)) after = q;
            if (after == long.MaxValue) after = hub.Recent(1).LastOrDefault()?.Sequence ?? 0;
            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.WriteAsync(": connected\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            try
            {
                await foreach (var e in hub.SubscribeAsync(after, ct))
                {
                    var data = JsonSerializer.Serialize(EventJson(e, urls), Json);
                    await http.Response.WriteAsync($"id: {e.Sequence}\nevent: {e.Event.Kind.ToString().ToLowerInvariant()}\ndata: {data}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    internal static object EventJson(SequencedEvent s, BlobUrls urls) => new
    {
        seq = s.Sequence,
        id = s.Event.EventId,
        kind = s.Event.Kind.ToString(),
        identity_id = s.Event.IdentityId,
        identity_name = s.Event.Name,
        camera = s.Event.CameraId,
        previous_camera = s.Event.PreviousCameraId,
        track_id = s.Event.TrackId,
        time = s.Event.Time,
        similarity = s.Event.Similarity,
        thumbnail_url = urls.For(s.Event.ThumbnailKey),
    };

    private static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Errors that mean "this upload is not a usable image" (they arrive from the inference grain by type name).</summary>
    private static bool IsBadImage(Exception ex) =>
        ex is VideoFace.Vision.Imaging.InvalidImageException || ex.GetType().Name.Contains("InvalidImage", StringComparison.Ordinal)
        || ex.Message.Contains("not an image", StringComparison.Ordinal);
}
