using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Onnx;

namespace VideoFace.Vision.Embedding;

/// <summary>
/// An ArcFace-style recogniser: N×3×S×S aligned crops in, N×D embeddings out. Serves the default pack's
/// fr_feature.onnx, InsightFace packs' ArcFace models and other MobileFaceNets; batches up to the configured size
/// when the graph's batch is dynamic (the session factory rewrites static-batch graphs).
/// </summary>
public sealed class ArcFaceEmbedder : IFaceEmbedder
{
    private readonly InferenceSession _session;
    private readonly PixelNormalization _norm;
    private readonly int _maxBatch;

    public ArcFaceEmbedder(InferenceSession session, string path, PixelNormalization normalization, int maxBatch = 32, string? name = null)
    {
        var shape = session.ImageInputShape();
        if (shape.Length != 4 || shape[1] != 3 || shape[2] != shape[3] || shape[2] <= 0)
            throw new ModelLoadException(path, $"expected a face recogniser with input [N,3,S,S] (S = 112), found input [{string.Join(',', shape)}]");
        var outShape = session.OutputMetadata.Values.First().Dimensions;
        if (outShape.Length != 2 || outShape[1] <= 0)
            throw new ModelLoadException(path, $"expected an embedding output [N,D], found [{string.Join(',', outShape)}]");
        _session = session;
        _norm = normalization;
        InputSize = shape[2];
        Dimension = outShape[1];
        _maxBatch = shape[0] == 1 ? 1 : Math.Max(1, maxBatch);
        Name = name ?? Path.GetFileNameWithoutExtension(path);
    }

    public string Name { get; }

    public int Dimension { get; }

    public int InputSize { get; }

    /// <summary>Largest number of crops per model call (1 when the graph has a static batch).</summary>
    public int MaxBatch => _maxBatch;

    public float[][] Embed(IReadOnlyList<Mat> alignedBgr)
    {
        var result = new float[alignedBgr.Count][];
        int plane = 3 * InputSize * InputSize;
        for (int start = 0; start < alignedBgr.Count; start += _maxBatch)
        {
            int n = Math.Min(_maxBatch, alignedBgr.Count - start);
            var input = new float[n * plane];
            for (int i = 0; i < n; i++)
            {
                var crop = alignedBgr[start + i];
                if (crop.Cols != InputSize || crop.Rows != InputSize)
                {
                    using var resized = crop.Resize(new Size(InputSize, InputSize));
                    TensorFill.Chw(resized, input.AsSpan(i * plane, plane), _norm);
                }
                else
                {
                    TensorFill.Chw(crop, input.AsSpan(i * plane, plane), _norm);
                }
            }
            using var outputs = _session.RunFloat(input, [n, 3, InputSize, InputSize]);
            var emb = outputs[0].GetTensorDataAsSpan<float>();
            for (int i = 0; i < n; i++) result[start + i] = emb.Slice(i * Dimension, Dimension).ToArray();
        }
        return result;
    }

    public void Dispose() => _session.Dispose();
}
