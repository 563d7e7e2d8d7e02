using Orleans;

namespace VideoFace.Abstractions;

/// <summary>The list of registered camera ids (key: "default"), so cameras can be listed and revived.</summary>
public interface ICameraRegistryGrain : IGrainWithStringKey
{
    Task AddAsync(string cameraId);
    Task RemoveAsync(string cameraId);
    Task<IReadOnlyList<string>> ListAsync();
}
