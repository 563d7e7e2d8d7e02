using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using VideoFace.Storage;

namespace VideoFace.Hosting.Api;

/// <summary>
/// GET /api/blobs/{key}: thumbnails and keyframes. A signed URL (from <see cref="BlobUrls"/>) needs no API key; its
/// signature and expiry are checked here (the key middleware lets it pass).
/// </summary>
public static class BlobApi
{
    public static RouteGroupBuilder MapBlobApi(this RouteGroupBuilder api)
    {
        api.MapGet("/blobs/{**key}", GetAsync).WithName("GetBlob").WithSummary("Get a thumbnail or keyframe").WithTags("Blobs").Problems(400, 403, 404)
            .Produces(200, contentType: "image/jpeg");
        return api;
    }

    public static async Task<FileContentHttpResult> GetAsync(string key, HttpRequest request, IBlobStore blobs, BlobUrlSigner signer, CancellationToken ct)
    {
        if (key.Length > 1024) throw new BadInputException($"blob key is {key.Length} characters; at most 1024 are accepted");
        if (request.Query.ContainsKey("sig") && !signer.Verify(key, request.Query["exp"].ToString(), request.Query["sig"].ToString()))
            throw new ApiProblemException(StatusCodes.Status403Forbidden, "the blob URL's signature is not valid or has expired");
        (byte[] Content, string ContentType)? blob;
        try
        {
            blob = await blobs.GetAsync(key, ct);
        }
        catch (ArgumentException ex)
        {
            throw new BadInputException(ex.Message);
        }
        catch (UnauthorizedAccessException)
        {
            // a key naming a folder of the local store, not a blob
            throw new NotFoundException("no blob with that key");
        }
        return blob is { } b ? TypedResults.File(b.Content, b.ContentType) : throw new NotFoundException("no blob with that key");
    }
}
