using OpenCvSharp;
using VideoFace.Vision.Detection;

namespace VideoFace.Vision;

/// <summary>
/// One analysed face, like InsightFace's <c>Face</c>: box, detector score, 5 key points, raw embedding and its
/// L2-normalised form (compare normed embeddings by cosine = dot product).
/// </summary>
public sealed record Face(FaceBox Box, float Score, Point2f[] Keypoints, float[] Embedding, float[] NormedEmbedding, float EmbeddingNorm);
