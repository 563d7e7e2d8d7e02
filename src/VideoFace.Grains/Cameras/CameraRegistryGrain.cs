using VideoFace.Abstractions;

namespace VideoFace.Grains.Cameras;

/// <summary>Persisted state of the camera registry.</summary>
[GenerateSerializer, Alias("vf.CameraRegistryState")]
public sealed class CameraRegistryState
{
    [Id(0)] public SortedSet<string> Cameras { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Keeps the ids of registered cameras so they can be listed and revived after a restart.</summary>
public sealed class CameraRegistryGrain(
    [PersistentState("cameras", Names.Storage)] IPersistentState<CameraRegistryState> state) : Grain, ICameraRegistryGrain
{
    public async Task AddAsync(string cameraId)
    {
        if (state.State.Cameras.Add(cameraId)) await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string cameraId)
    {
        if (state.State.Cameras.Remove(cameraId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Cameras.ToList());
}
