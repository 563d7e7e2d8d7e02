namespace VideoFace.Pipeline.Inference;

/// <summary>The inference devices of this silo (silo-local service): one batcher per device, shared by every local camera.</summary>
public interface IInferenceDevices
{
    /// <summary>This silo's stable name (matches its <c>videoface.silo</c> metadata).</summary>
    string SiloName { get; }

    /// <summary>Device names, e.g. "cpu" or "gpu:0".</summary>
    IReadOnlyList<string> Devices { get; }

    /// <summary>The batcher of a device (or of the least busy one when <paramref name="device"/> is null).</summary>
    InferenceBatcher Get(string? device = null);
}
