using VideoFace.Index;
using VideoFace.Index.Benchmarks;

// Embedded sighting index: inserts/s, memory, search p50/p95 and recall@10 vs exact brute force on clustered 512-d
// faces, unfiltered and with a camera / time filter matching 10 % of the rows, for each search setting on one build.
// usage: dotnet run -c Release --project bench/VideoFace.Index.Benchmarks [-- --sizes 100000,1000000] [--quant f16,f32,i8]
//        [--queries 200] [--m 16] [--ef-add 128] [--ef-search 128,256] [--rerank 10,64]
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
int[] Ints(string name, string fallback) => Arg(name, fallback).Split(',').Select(int.Parse).ToArray();
var sizes = Ints("--sizes", "100000");
var quants = Arg("--quant", "f16").Split(',').Select(q => q switch
{
    "f32" => VectorQuantization.Float32,
    "i8" => VectorQuantization.Int8,
    _ => VectorQuantization.Float16,
}).ToArray();
var queries = int.Parse(Arg("--queries", "200"));
var connectivity = int.Parse(Arg("--m", "16"));
var efAdd = int.Parse(Arg("--ef-add", "128"));
var efSearch = Ints("--ef-search", "128");
var rerank = Ints("--rerank", "64");
Console.WriteLine($"cores {Environment.ProcessorCount}, {queries} queries, 512-d, 50 sightings per person");
foreach (var size in sizes)
    foreach (var quant in quants)
        await IndexBenchmark.RunAsync(size, quant, queries, connectivity, efAdd, efSearch, rerank);
