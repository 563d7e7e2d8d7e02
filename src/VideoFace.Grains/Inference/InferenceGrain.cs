using Orleans.Concurrency;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;
using VideoFace.Vision.Imaging;
using VideoFace.Pipeline.Inference;

namespace VideoFace.Grains.Inference;

/// <summary>
/// Face inference for encoded photos on one device. Placed only on silos that offer the device; reentrant so
/// concurrent requests reach the shared batcher together and batch.
/// </summary>
[InferenceDevicePlacementFilter, Reentrant]
public sealed class InferenceGrain(IInferenceDevices devices) : Grain, IInferenceGrain
{
    private string? Device => DeviceKey.Parse(this.GetPrimaryKeyString()).Device;

    public async Task<IReadOnlyList<AnalyzedFace>> AnalyzeImageAsync(byte[] encodedImage, int maxFaces = 0)
    {
        var batcher = devices.Get(Device);
        using var image = batcher.Analyzer.Decoder.Decode(encodedImage);
        var faces = await batcher.AnalyzeAsync(image, maxFaces);
        return faces.Select(f => new AnalyzedFace(
            [f.Face.Box.X1, f.Face.Box.Y1, f.Face.Box.X2, f.Face.Box.Y2], f.Face.Score,
            f.Face.Keypoints.SelectMany(p => new[] { p.X, p.Y }).ToArray(), f.Embedding)).ToList();
    }

    public Task<InferenceStats> GetStatsAsync()
    {
        var b = devices.Get(Device);
        return Task.FromResult(new InferenceStats(b.Device, devices.SiloName, b.Analyzer.Description, b.Batches, b.FacesEmbedded,
            b.Batches == 0 ? 0 : (double)b.FacesEmbedded / b.Batches, b.Analyzer.EmbeddingSpace));
    }
}
