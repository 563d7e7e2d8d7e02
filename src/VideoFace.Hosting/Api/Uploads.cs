using Microsoft.AspNetCore.Http;

namespace VideoFace.Hosting.Api;

/// <summary>Uploaded photos read into memory with the per-photo size limit.</summary>
internal static class Uploads
{
    public static async Task<byte[]> ReadAsync(IFormFile file, CancellationToken ct)
    {
        if (file.Length > ApiLimits.MaxPhotoBytes)
            throw new TooLargeException($"photo '{Path.GetFileName(file.FileName)}' is {file.Length:N0} bytes; at most {ApiLimits.MaxPhotoBytes:N0} are accepted");
        using var ms = new MemoryStream((int)file.Length);
        await file.CopyToAsync(ms, ct);
        return ms.ToArray();
    }
}
