using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using VideoFace.Abstractions;

namespace VideoFace.Hosting.Api;

/// <summary>
/// GET /api/cameras/{id}/preview (JSON: the latest analysed frame as a data URL with its faces) and
/// GET /api/cameras/{id}/preview.jpg (the frame alone). The camera grain asks the session on its silo, which encodes
/// the frame at that moment; frames themselves never leave that silo otherwise.
/// </summary>
public static class CameraPreviewEndpoints
{
    public static RouteGroupBuilder MapCameraPreview(this RouteGroupBuilder api)
    {
        api.MapGet("/cameras/{id}/preview", async (string id, IGrainFactory grains, HttpResponse response) =>
        {
            var (preview, error) = await PreviewAsync(id, grains);
            if (preview is null) return error!;
            response.Headers.CacheControl = "no-store";
            return Results.Ok(new
            {
                camera = id,
                captured_at = preview.CapturedAt,
                width = preview.Width,
                height = preview.Height,
                image = "data:image/jpeg;base64," + Convert.ToBase64String(preview.Jpeg),
                // boxes in the image's pixels: [x, y, width, height]
                faces = preview.Faces.Select(f => new
                {
                    box = new[] { f.X, f.Y, f.Width, f.Height },
                    score = f.Score,
                    track_id = f.TrackId,
                    identity_id = f.IdentityId,
                    identity_name = f.IdentityName,
                }),
            });
        });
        api.MapGet("/cameras/{id}/preview.jpg", async (string id, IGrainFactory grains, HttpResponse response) =>
        {
            var (preview, error) = await PreviewAsync(id, grains);
            if (preview is null) return error!;
            response.Headers.CacheControl = "no-store";
            return Results.File(preview.Jpeg, "image/jpeg");
        });
        return api;
    }

    /// <summary>The camera's preview, or the 404 that says why there is none.</summary>
    private static async Task<(CameraPreview? Preview, IResult? Error)> PreviewAsync(string id, IGrainFactory grains)
    {
        var ids = await grains.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery).ListAsync();
        if (!ids.Contains(id)) return (null, Results.NotFound(new { error = $"no camera '{id}'" }));
        var preview = await grains.GetGrain<ICameraGrain>(id).GetPreviewAsync();
        return preview is null
            ? (null, Results.NotFound(new { error = $"camera '{id}' has no analysed frame yet (is it enabled and streaming?)" }))
            : (preview, null);
    }
}
