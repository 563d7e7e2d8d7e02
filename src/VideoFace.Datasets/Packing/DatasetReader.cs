using System.Globalization;
using VideoFace.Datasets.RecordIO;

namespace VideoFace.Datasets.Packing;

/// <summary>One image record of a packed dataset.</summary>
/// <param name="Index">Its <c>.idx</c> key.</param>
/// <param name="Label">Class label (first label value, as arcface_torch reads it).</param>
/// <param name="Id">IRHeader id.</param>
/// <param name="JpegLength">Payload size in bytes.</param>
/// <param name="Offset">Offset of the record in the <c>.rec</c>.</param>
public sealed record RecordEntry(long Index, int Label, ulong Id, int JpegLength, long Offset);

/// <summary>What a packed dataset holds.</summary>
/// <param name="Layout">"insightface" when record 0 is the identity-range header, "im2rec" for a plain list of images.</param>
/// <param name="Records">Image records.</param>
/// <param name="Identities">Identity header records (InsightFace layout) or distinct labels (im2rec layout).</param>
/// <param name="HeaderRecords">Header records (record 0 plus identity headers); 0 for im2rec.</param>
/// <param name="Classes">Class count from the <c>property</c> file, when there is one.</param>
/// <param name="Entries">The image records in key order.</param>
/// <param name="Extracted">Images written by extraction (0 when not extracting).</param>
public sealed record DatasetContents(
    string Layout,
    int Records,
    int Identities,
    int HeaderRecords,
    int? Classes,
    IReadOnlyList<RecordEntry> Entries,
    int Extracted);

/// <summary>Lists and extracts the records of a RecordIO face dataset written by InsightFace tools, MXNet im2rec or <see cref="DatasetPacker"/>.</summary>
public static class DatasetReader
{
    /// <summary>Reads <c>prefix.rec</c> through <c>prefix.idx</c>; with <paramref name="extractDir"/>, writes each image to <c>extractDir/label/index.jpg</c>.</summary>
    public static DatasetContents Read(string prefix, string? extractDir = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var fullPrefix = Path.GetFullPath(prefix);
        var recPath = fullPrefix + ".rec";
        using var reader = IndexedRecordReader.Open(recPath, fullPrefix + ".idx");

        ImageRecord Get(long key) => ImageRecord.Unpack(reader.Read(key), $"{recPath} key {key}");

        IEnumerable<long> imageKeys;
        var layout = "im2rec";
        var identityRanges = new List<(int Start, int End)>();
        var header0 = reader.Offsets.ContainsKey(0) ? Get(0) : null;
        if (header0 is { Header.Flag: > 0, Labels.Length: >= 2 })
        {
            layout = "insightface";
            var imageEnd = ToKey(header0.Labels[0], recPath, "record 0 label[0]");
            var headerEnd = ToKey(header0.Labels[1], recPath, "record 0 label[1]");
            if (imageEnd < 1 || headerEnd < imageEnd)
            {
                throw new RecordIOException($"{recPath}: record 0 gives image keys [1, {imageEnd}) and identity keys [{imageEnd}, {headerEnd}), which is not a valid range.");
            }

            for (var k = imageEnd; k < headerEnd; k++)
            {
                var h = Get(k);
                if (h.Labels.Length < 2)
                {
                    throw new RecordIOException($"{recPath}: identity header {k} has no [start, end) label pair.");
                }

                identityRanges.Add((ToKey(h.Labels[0], recPath, $"key {k} label[0]"), ToKey(h.Labels[1], recPath, $"key {k} label[1]")));
            }

            imageKeys = Enumerable.Range(1, imageEnd - 1).Select(k => (long)k);
        }
        else
        {
            imageKeys = reader.Index.Select(e => e.Key).Distinct().Order();
        }

        var entries = new List<RecordEntry>();
        var extracted = 0;
        foreach (var key in imageKeys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = Get(key);
            var label = (int)record.ClassLabel;
            entries.Add(new RecordEntry(key, label, record.Header.Id, record.Payload.Length, reader.Offsets[key]));
            if (extractDir is not null)
            {
                var folder = Path.Combine(extractDir, label.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(folder);
                File.WriteAllBytes(Path.Combine(folder, key.ToString(CultureInfo.InvariantCulture) + ".jpg"), record.Payload);
                extracted++;
            }
        }

        CheckRanges(identityRanges, entries, recPath);
        var identities = layout == "insightface" ? identityRanges.Count : entries.Select(e => e.Label).Distinct().Count();
        return new DatasetContents(
            layout,
            entries.Count,
            identities,
            layout == "insightface" ? identityRanges.Count + 1 : 0,
            ReadClasses(Path.Combine(Path.GetDirectoryName(fullPrefix)!, "property")),
            entries,
            extracted);
    }

    // Each identity header must cover contiguous image keys that all carry one label; arcface_torch samplers rely on it.
    private static void CheckRanges(List<(int Start, int End)> ranges, List<RecordEntry> entries, string recPath)
    {
        var byKey = entries.ToDictionary(e => e.Index);
        for (var i = 0; i < ranges.Count; i++)
        {
            var (start, end) = ranges[i];
            if (end <= start || !byKey.ContainsKey(start) || !byKey.ContainsKey(end - 1))
            {
                throw new RecordIOException($"{recPath}: identity header {i} range [{start}, {end}) is not within the image records.");
            }

            var label = byKey[start].Label;
            for (long k = start; k < end; k++)
            {
                if (byKey[k].Label != label)
                {
                    throw new RecordIOException($"{recPath}: identity header {i} range [{start}, {end}) mixes labels {label} and {byKey[k].Label}.");
                }
            }
        }
    }

    private static int ToKey(float value, string recPath, string what)
    {
        if (float.IsNaN(value) || value < 0 || value > int.MaxValue || value != MathF.Floor(value))
        {
            throw new RecordIOException($"{recPath}: {what} = {value.ToString(CultureInfo.InvariantCulture)} is not a record key.");
        }

        return (int)value;
    }

    private static int? ReadClasses(string propertyPath)
    {
        if (!File.Exists(propertyPath))
        {
            return null;
        }

        var first = File.ReadAllText(propertyPath).Trim().Split(',')[0];
        return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var classes) ? classes : null;
    }
}
