using System.Globalization;
using System.Text;
using OpenCvSharp;
using VideoFace.Datasets.RecordIO;

namespace VideoFace.Datasets.Packing;

/// <summary>What <see cref="DatasetPacker.Pack"/> wrote.</summary>
/// <param name="Records">Image records written.</param>
/// <param name="Identities">Identities (labels 0..Identities-1).</param>
/// <param name="HeaderRecords">InsightFace header records: record 0 plus one per identity.</param>
/// <param name="Reencoded">Non-JPEG images re-encoded to JPEG.</param>
/// <param name="Skipped">Files that could not be read as images, with the reason.</param>
/// <param name="ImageHeight">Height written to <c>property</c> (from the first image).</param>
/// <param name="ImageWidth">Width written to <c>property</c>.</param>
/// <param name="RecPath">The <c>.rec</c> file.</param>
/// <param name="IdxPath">The <c>.idx</c> file.</param>
/// <param name="LstPath">The <c>.lst</c> file.</param>
/// <param name="PropertyPath">The <c>property</c> file.</param>
public sealed record PackSummary(
    int Records,
    int Identities,
    int HeaderRecords,
    int Reencoded,
    IReadOnlyList<string> Skipped,
    int ImageHeight,
    int ImageWidth,
    string RecPath,
    string IdxPath,
    string LstPath,
    string PropertyPath);

/// <summary>Packs a folder of identities into MXNet RecordIO as InsightFace's <c>face2rec2.py</c> does, for <c>arcface_torch</c>.</summary>
/// <remarks>
/// Layout written (keys are the <c>.idx</c> keys, in file order):
/// keys 1..N image records, IRHeader(flag 2, id = key, labels [label, 1.0] = [class, aligned]) + JPEG;
/// key 0, IRHeader(flag 2, labels [N+1, N+1+identities]): images are keys [1, N+1), identity headers [N+1, N+1+identities);
/// keys N+1.., one per identity, labels [first image key, end image key).
/// The <c>.lst</c> is face2rec2's input format (<c>aligned&lt;TAB&gt;path&lt;TAB&gt;label</c>), so it regenerates this
/// same file with InsightFace's tool; <c>property</c> is "identities,height,width" beside the prefix.
/// </remarks>
public static class DatasetPacker
{
    /// <summary>File extensions packed.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff" };

    /// <summary>Packs <paramref name="dir"/> (<c>identity/image</c>) into <c>prefix.rec/.idx/.lst</c> and <c>property</c>.</summary>
    public static PackSummary Pack(string dir, string prefix, int jpegQuality = 95, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dir);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"Dataset folder not found: {dir}");
        }

        var identities = Directory.GetDirectories(dir)
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .Select(Path.GetFullPath)
                .ToArray())
            .Where(files => files.Length > 0)
            .ToArray();
        if (identities.Length == 0)
        {
            throw new InvalidDataException($"{dir}: no identity sub-folders with images (expected {dir}/<identity>/<image>.jpg).");
        }

        var fullPrefix = Path.GetFullPath(prefix);
        var outDir = Path.GetDirectoryName(fullPrefix)!;
        Directory.CreateDirectory(outDir);
        var recPath = fullPrefix + ".rec";
        var idxPath = fullPrefix + ".idx";
        var lstPath = fullPrefix + ".lst";
        var propertyPath = Path.Combine(outDir, "property");

        var skipped = new List<string>();
        var ranges = new List<(int Start, int End)>();
        var reencoded = 0;
        (int Height, int Width)? size = null;
        long key = 1;
        using (var writer = new IndexedRecordWriter(recPath, idxPath))
        using (var lst = new StreamWriter(lstPath, append: false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            foreach (var files in identities)
            {
                var label = ranges.Count;
                var start = key;
                foreach (var file in files)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (jpeg, wasReencoded, error) = LoadAsJpeg(file, jpegQuality);
                    if (jpeg is null)
                    {
                        skipped.Add($"{file}: {error}");
                        continue;
                    }

                    size ??= JpegInfo.TryGetSize(jpeg);
                    reencoded += wasReencoded ? 1 : 0;
                    writer.Write(key, ImageRecord.Pack((ulong)key, [label, 1f], jpeg));
                    lst.Write(string.Create(CultureInfo.InvariantCulture, $"1\t{file}\t{label}\n"));
                    key++;
                }

                if (key == start)
                {
                    continue; // every file of this identity was unreadable: it gets no label
                }

                ranges.Add(((int)start, (int)key));
            }

            if (ranges.Count == 0)
            {
                throw new InvalidDataException($"{dir}: none of the images could be read ({skipped.Count} skipped).");
            }

            var imageEnd = key;
            writer.Write(0, ImageRecord.Pack(0, [imageEnd, imageEnd + ranges.Count], []));
            for (var i = 0; i < ranges.Count; i++)
            {
                var headerKey = imageEnd + i;
                writer.Write(headerKey, ImageRecord.Pack((ulong)headerKey, [ranges[i].Start, ranges[i].End], []));
            }
        }

        var (height, width) = size ?? (112, 112);
        File.WriteAllText(propertyPath, string.Create(CultureInfo.InvariantCulture, $"{ranges.Count},{height},{width}"));
        return new PackSummary(
            Records: ranges.Sum(r => r.End - r.Start),
            Identities: ranges.Count,
            HeaderRecords: ranges.Count + 1,
            Reencoded: reencoded,
            Skipped: skipped,
            ImageHeight: height,
            ImageWidth: width,
            RecPath: recPath,
            IdxPath: idxPath,
            LstPath: lstPath,
            PropertyPath: propertyPath);
    }

    private static (byte[]? Jpeg, bool Reencoded, string? Error) LoadAsJpeg(string file, int quality)
    {
        var bytes = File.ReadAllBytes(file);
        if (JpegInfo.IsJpeg(bytes))
        {
            return (bytes, false, null);
        }

        using var image = Cv2.ImDecode(bytes, ImreadModes.Color);
        if (image.Empty())
        {
            return (null, false, "not a decodable image");
        }

        Cv2.ImEncode(".jpg", image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        return (jpeg, true, null);
    }
}
