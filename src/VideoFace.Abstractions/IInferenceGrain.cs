using Orleans;

namespace VideoFace.Abstractions;

/// <summary>
/// Face inference on one device (key: "{silo}/{device}", or "any/{device}" for any silo offering it). Placed only on
/// silos that advertise inference devices; camera sessions on that silo use the same device's batcher in-process, so
/// frames never cross silos — only encoded photos (enrolment, search) come here.
/// </summary>
public interface IInferenceGrain : IGrainWithStringKey
{
    /// <summary>Every face in an encoded image (JPEG, PNG, …), largest first.</summary>
    Task<IReadOnlyList<AnalyzedFace>> AnalyzeImageAsync(byte[] encodedImage, int maxFaces = 0);

    Task<InferenceStats> GetStatsAsync();
}
