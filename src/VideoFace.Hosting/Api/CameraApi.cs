using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using VideoFace.Abstractions;
using VideoFace.Hosting.Api.Contracts;
using VideoFace.Media.Security;

namespace VideoFace.Hosting.Api;

/// <summary>
/// /api/cameras: list, read, add or change (PUT), remove; and the latest analysed frame (preview, preview.jpg), which the
/// camera grain asks of the session on its silo; frames otherwise never leave that silo.
/// </summary>
public static class CameraApi
{
    public static RouteGroupBuilder MapCameraApi(this RouteGroupBuilder api)
    {
        var cameras = api.MapGroup("/cameras").WithTags("Cameras");
        cameras.MapGet("/", ListAsync).WithName("ListCameras").WithSummary("List cameras");
        cameras.MapGet("/{id}", GetAsync).WithName("GetCamera").WithSummary("Get a camera").Problems(404);
        cameras.MapPut("/{id}", PutAsync).WithName("PutCamera").WithSummary("Add or change a camera").RequireAdmin().Problems(400, 403, 413).JsonBody();
        cameras.MapDelete("/{id}", DeleteAsync).WithName("DeleteCamera").WithSummary("Remove a camera").RequireAdmin().Problems(403, 404);
        cameras.MapGet("/{id}/preview", PreviewAsync).WithName("GetCameraPreview").WithSummary("Latest analysed frame with its faces").Problems(404);
        cameras.MapGet("/{id}/preview.jpg", PreviewJpegAsync).WithName("GetCameraPreviewJpeg").WithSummary("Latest analysed frame as JPEG").Problems(404)
            .Produces(200, contentType: "image/jpeg");
        return api;
    }

    public static async Task<Ok<CameraResponse[]>> ListAsync(IGrainFactory grains)
    {
        var ids = await Registry(grains).ListAsync();
        var statuses = await Task.WhenAll(ids.Select(id => grains.GetGrain<ICameraGrain>(id).GetStatusAsync()));
        return TypedResults.Ok(statuses.Select(CameraResponse.From).ToArray());
    }

    public static async Task<Ok<CameraResponse>> GetAsync(string id, IGrainFactory grains)
    {
        await RequireAsync(id, grains);
        return TypedResults.Ok(CameraResponse.From(await grains.GetGrain<ICameraGrain>(id).GetStatusAsync()));
    }

    /// <summary>Adds the camera or replaces its settings; fps defaults to 2, enabled to true.</summary>
    public static async Task<Ok<CameraResponse>> PutAsync(string id, CameraRequest body, IGrainFactory grains, UrlPolicy policy, CancellationToken ct)
    {
        ApiLimits.Id(id, "camera id");
        var url = ApiLimits.Text(body.Url, "url", ApiLimits.MaxUrlLength);
        if (string.IsNullOrEmpty(url)) throw new BadInputException("url is required");
        if (await policy.CheckCameraAsync(url, ct) is { } refused) throw Refused(refused);
        var camera = grains.GetGrain<ICameraGrain>(id);
        // a client that sends back the redacted URL it was shown keeps the stored credentials
        if ((await camera.GetStatusAsync()).Config?.Url is { } stored && Secrets.IsRedactedFormOf(url, stored)) url = stored;
        var config = new CameraConfig(url, body.Fps ?? 2, body.Enabled ?? true, ApiLimits.Text(body.Name, "name"), ApiLimits.Text(body.Zone, "zone"));
        try
        {
            await camera.ConfigureAsync(config);
        }
        catch (ArgumentException ex)
        {
            throw new BadInputException(ex.Message);
        }
        return TypedResults.Ok(CameraResponse.From(await camera.GetStatusAsync()));
    }

    public static async Task<NoContent> DeleteAsync(string id, IGrainFactory grains)
    {
        await RequireAsync(id, grains);
        await grains.GetGrain<ICameraGrain>(id).RemoveAsync();
        return TypedResults.NoContent();
    }

    public static async Task<Ok<CameraPreviewResponse>> PreviewAsync(string id, IGrainFactory grains, HttpResponse response)
    {
        var preview = await LatestFrameAsync(id, grains);
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(CameraPreviewResponse.From(id, preview));
    }

    public static async Task<FileContentHttpResult> PreviewJpegAsync(string id, IGrainFactory grains, HttpResponse response)
    {
        var preview = await LatestFrameAsync(id, grains);
        response.Headers.CacheControl = "no-store";
        return TypedResults.File(preview.Jpeg, "image/jpeg");
    }

    /// <summary>The camera's preview, or the 404 that says why there is none.</summary>
    private static async Task<CameraPreview> LatestFrameAsync(string id, IGrainFactory grains)
    {
        await RequireAsync(id, grains);
        return await grains.GetGrain<ICameraGrain>(id).GetPreviewAsync()
            ?? throw new NotFoundException($"camera '{id}' has no analysed frame yet (is it enabled and streaming?)");
    }

    private static async Task RequireAsync(string id, IGrainFactory grains)
    {
        if (!ApiLimits.IsValidId(id) || !(await Registry(grains).ListAsync()).Contains(id)) throw new NotFoundException($"no camera '{Shown(id)}'");
    }

    private static ICameraRegistryGrain Registry(IGrainFactory grains) => grains.GetGrain<ICameraRegistryGrain>(Names.DefaultGallery);

    /// <summary>A URL the security policy refuses: 400 naming the rule (also as the problem body's <c>rule</c>).</summary>
    internal static BadInputException Refused(UrlRefusal refused) =>
        new(refused.Message, new Dictionary<string, object?> { ["rule"] = refused.Rule });

    /// <summary>An id as echoed in a message: cut, so a huge path does not come back whole.</summary>
    internal static string Shown(string id) => id.Length <= ApiLimits.MaxIdLength ? id : id[..ApiLimits.MaxIdLength] + "…";
}
