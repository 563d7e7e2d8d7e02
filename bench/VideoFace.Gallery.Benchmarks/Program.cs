using System.Globalization;
using VideoFace.Gallery.Benchmarks;

// Gallery benchmark: one run, side by side, so the shared machine's noise hits both sides of each ratio.
// usage: dotnet run -c Release --project bench/VideoFace.Gallery.Benchmarks
//        [-- --identities 10000,100000] [--silos 1,3] [--callers 4] [--seconds 5]
// --callers: concurrent callers per silo (each silo's cameras name their tracks at once).
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
int[] Ints(string name, string fallback) => Arg(name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

var identities = Ints("--identities", "10000,100000");
var silos = Ints("--silos", "1,3");
int callers = int.Parse(Arg("--callers", "4"), CultureInfo.InvariantCulture);
double seconds = double.Parse(Arg("--seconds", "5"), CultureInfo.InvariantCulture);
if (identities.Any(n => n is < 10 or > 1_000_000) || silos.Any(s => s is < 1 or > 8) || callers is < 1 or > 256 || !(seconds is > 0 and <= 600))
{
    Console.Error.WriteLine("expected --identities 10..1000000[,…] --silos 1..8[,…] --callers 1..256 --seconds (0, 600]");
    return 2;
}
await GalleryBenchmark.RunAsync(identities, silos, callers, TimeSpan.FromSeconds(seconds));
return 0;
