namespace VideoFace.Orleans.Sqlite.Tests;

/// <summary>Grain state used by the storage tests and the test grains.</summary>
[GenerateSerializer, Alias("vf.test.sqlite.TestState")]
public sealed record TestState
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public int Count { get; init; }
    [Id(2)] public List<string> Notes { get; init; } = [];
}
