using VideoFace.Testing;

namespace VideoFace.Cluster.Tests.Support;

/// <summary>Where the models and face photos are (fetched by setup, never committed).</summary>
public static class TestData
{
    public static string Models => Path.Combine(RepoPaths.Root, "models");

    public static string Faces => Path.Combine(RepoPaths.SharedData, "faces-dev");

    /// <summary>faces-dev/{person}/{person}_{number:0000}.jpg</summary>
    public static string Face(string person, int number) => Path.Combine(Faces, person, $"{person}_{number:0000}.jpg");
}
