using VideoFace.Index;
using VideoFace.Storage;

namespace VideoFace.Grains.Identity;

/// <summary>
/// An identity's face data outside its grain state: its sightings in the vector index and its thumbnails and keyframes
/// in the blob store. Both are the silo's; a silo without them only keeps history, so each step is skipped there.
/// </summary>
internal sealed class IdentityFaceData(ISightingIndex? index, IBlobStore? blobs)
{
    /// <summary>Search results carry the name: the index's copy follows a rename.</summary>
    public Task RenameAsync(string identityId, string? name) =>
        index?.ReassignIdentityAsync(identityId, identityId, name) ?? Task.CompletedTask;

    /// <summary>Moves the identity's sightings to <paramref name="targetId"/> (a merge); returns how many moved.</summary>
    public async Task<long> MoveAsync(string identityId, string targetId, string? targetName) =>
        index is null ? 0 : await index.ReassignIdentityAsync(identityId, targetId, targetName);

    /// <summary>Deletes the images under <paramref name="blobKeys"/> and the identity's sightings; returns how many of each.</summary>
    public async Task<(long Points, int Images)> EraseAsync(string identityId, IEnumerable<string> blobKeys)
    {
        int images = 0;
        if (blobs is not null)
        {
            foreach (var key in blobKeys)
                if (await blobs.DeleteAsync(key)) images++;
        }
        long points = index is null ? 0 : await index.DeleteByIdentityAsync(identityId);
        return (points, images);
    }
}
