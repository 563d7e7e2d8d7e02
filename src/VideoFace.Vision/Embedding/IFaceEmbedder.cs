using OpenCvSharp;

namespace VideoFace.Vision.Embedding;

/// <summary>Turns aligned face crops into embeddings.</summary>
public interface IFaceEmbedder : IDisposable
{
    string Name { get; }

    /// <summary>Embedding length (512 for ArcFace-style models, 128 for some MobileFaceNets).</summary>
    int Dimension { get; }

    /// <summary>Side of the square aligned crop the model takes (112).</summary>
    int InputSize { get; }

    /// <summary>Raw (not normalised) embeddings of BGR aligned crops, one per crop, computed in as few model calls as the batch limit allows.</summary>
    float[][] Embed(IReadOnlyList<Mat> alignedBgr);
}
