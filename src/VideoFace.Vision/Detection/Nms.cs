namespace VideoFace.Vision.Detection;

/// <summary>Greedy non-maximum suppression, as InsightFace and UltraFace use it.</summary>
public static class Nms
{
    /// <summary>Keeps the best-scoring face of every group whose boxes overlap above <paramref name="iouThreshold"/>.</summary>
    public static List<DetectedFace> Apply(List<DetectedFace> faces, float iouThreshold, int maxFaces = int.MaxValue)
    {
        faces.Sort((a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<DetectedFace>();
        var suppressed = new bool[faces.Count];
        for (int i = 0; i < faces.Count && kept.Count < maxFaces; i++)
        {
            if (suppressed[i]) continue;
            kept.Add(faces[i]);
            for (int j = i + 1; j < faces.Count; j++)
            {
                if (!suppressed[j] && faces[i].Box.IoU(faces[j].Box) > iouThreshold) suppressed[j] = true;
            }
        }
        return kept;
    }
}
