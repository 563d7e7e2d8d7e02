using VideoFace.Abstractions;

namespace VideoFace.Grains.Cameras;

/// <summary>Persisted desired state of a camera: what the operator configured (null once removed or never set).</summary>
[GenerateSerializer, Immutable, Alias("vf.CameraState")]
public sealed record CameraState
{
    [Id(0)] public CameraConfig? Config { get; init; }
}
