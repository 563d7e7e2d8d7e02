using VideoFace.Index;
using VideoFace.Index.Benchmarks;

// Embedded sighting index: inserts/s, search p50/p95 and recall@10 vs exact brute force on clustered 512-d faces.
// usage: dotnet run -c Release --project bench/VideoFace.Index.Benchmarks [-- --sizes 100000,1000000] [--quant f16,f32] [--queries 200]
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var sizes = Arg("--sizes", "100000").Split(',').Select(int.Parse).ToArray();
var quants = Arg("--quant", "f16,f32").Split(',').Select(q => q == "f32" ? VectorQuantization.Float32 : VectorQuantization.Float16).ToArray();
var queries = int.Parse(Arg("--queries", "200"));
var connectivity = int.Parse(Arg("--m", "16"));
var efAdd = int.Parse(Arg("--ef-add", "64"));
var efSearch = int.Parse(Arg("--ef-search", "128"));
Console.WriteLine($"cores {Environment.ProcessorCount}, M {connectivity}, ef_add {efAdd}, ef_search {efSearch}, {queries} queries, 512-d, 50 sightings per person");
foreach (var size in sizes)
    foreach (var quant in quants)
        await IndexBenchmark.RunAsync(size, quant, queries, connectivity, efAdd, efSearch);
