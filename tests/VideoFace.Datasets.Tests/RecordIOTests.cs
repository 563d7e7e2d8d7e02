using System.Buffers.Binary;
using System.Globalization;
using OpenCvSharp;
using VideoFace.Datasets.Packing;
using VideoFace.Datasets.RecordIO;

namespace VideoFace.Datasets.Tests;

public sealed class RecordIOTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Pack_FolderOfIdentities_ReadsBackLabelsAndJpegBytesExactly()
    {
        var source = MakeDataset(out var originals);

        var packed = DatasetPacker.Pack(source, _tmp["out/train"]);
        var read = DatasetReader.Read(_tmp["out/train"], _tmp["extract"]);

        Assert.Equal(6, packed.Records);
        Assert.Equal(3, packed.Identities);
        Assert.Equal(1, packed.Reencoded);
        Assert.Single(packed.Skipped);
        Assert.Contains("broken.png", packed.Skipped[0], StringComparison.Ordinal);
        Assert.Equal("insightface", read.Layout);
        Assert.Equal(6, read.Records);
        Assert.Equal(3, read.Identities);
        Assert.Equal(4, read.HeaderRecords);
        Assert.Equal(3, read.Classes);
        Assert.Equal(6, read.Extracted);
        // Ordinal order: "Alice" < "bob" < "carol"; files ordinal within each.
        Assert.Equal([0, 0, 1, 1, 1, 2], read.Entries.Select(e => e.Label));
        Assert.Equal([1L, 2, 3, 4, 5, 6], read.Entries.Select(e => e.Index));
        foreach (var (entry, original) in read.Entries.Zip(originals))
        {
            var extracted = File.ReadAllBytes(Path.Combine(_tmp["extract"], entry.Label.ToString(CultureInfo.InvariantCulture), $"{entry.Index}.jpg"));
            if (original.IsJpeg)
            {
                Assert.Equal(original.Bytes, extracted);
            }
            else
            {
                using var decoded = Cv2.ImDecode(extracted, ImreadModes.Color);
                Assert.True(JpegInfo.IsJpeg(extracted));
                Assert.Equal(new Size(112, 112), decoded.Size());
            }
        }
    }

    [Fact]
    public void Pack_ByteLayout_FollowsRecordIOAndInsightFaceHeaderRules()
    {
        var source = MakeDataset(out var originals);
        DatasetPacker.Pack(source, _tmp["out/train"]);

        // Walk the .rec by hand: magic, lrecord (cflag<<29 | length), data, zero padding to 4 bytes.
        var rec = File.ReadAllBytes(_tmp["out/train.rec"]);
        var records = new List<(long Offset, byte[] Data)>();
        var pos = 0;
        while (pos < rec.Length)
        {
            Assert.Equal(0xced7230au, BinaryPrimitives.ReadUInt32LittleEndian(rec.AsSpan(pos)));
            var lrecord = BinaryPrimitives.ReadUInt32LittleEndian(rec.AsSpan(pos + 4));
            Assert.Equal(0u, lrecord >> 29); // no magic word inside these payloads, so no continuation parts
            var length = (int)(lrecord & ((1u << 29) - 1));
            records.Add((pos, rec.AsSpan(pos + 8, length).ToArray()));
            var padded = (length + 3) / 4 * 4;
            Assert.All(rec.AsSpan(pos + 8 + length, padded - length).ToArray(), b => Assert.Equal(0, b));
            pos += 8 + padded;
        }

        Assert.Equal(rec.Length, pos);
        Assert.Equal(10, records.Count); // 6 images, header 0, 3 identity headers

        // .idx: "key\toffset" in write order, as face2rec2 writes: images 1..6, then 0, then 7..9.
        var idx = File.ReadAllLines(_tmp["out/train.idx"]).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(["1", "2", "3", "4", "5", "6", "0", "7", "8", "9"], idx.Select(p => p[0]));
        Assert.Equal(records.Select(r => r.Offset.ToString(CultureInfo.InvariantCulture)), idx.Select(p => p[1]));

        static (uint Flag, float Label, ulong Id, ulong Id2, float[] Labels, byte[] Payload) Parse(byte[] r)
        {
            var flag = BinaryPrimitives.ReadUInt32LittleEndian(r);
            var labels = Enumerable.Range(0, (int)flag).Select(i => BinaryPrimitives.ReadSingleLittleEndian(r.AsSpan(24 + (4 * i)))).ToArray();
            return (flag, BinaryPrimitives.ReadSingleLittleEndian(r.AsSpan(4)), BinaryPrimitives.ReadUInt64LittleEndian(r.AsSpan(8)),
                BinaryPrimitives.ReadUInt64LittleEndian(r.AsSpan(16)), labels, r[(24 + (4 * (int)flag))..]);
        }

        var expectedLabels = new[] { 0f, 0, 1, 1, 1, 2 };
        for (var i = 0; i < 6; i++)
        {
            var h = Parse(records[i].Data);
            Assert.Equal(2u, h.Flag); // label array [class, aligned], as face2rec2's read_list
            Assert.Equal(0f, h.Label);
            Assert.Equal((ulong)(i + 1), h.Id);
            Assert.Equal(0UL, h.Id2);
            Assert.Equal([expectedLabels[i], 1f], h.Labels);
            Assert.True(JpegInfo.IsJpeg(h.Payload));
            if (originals[i].IsJpeg)
            {
                Assert.Equal(originals[i].Bytes, h.Payload);
            }
        }

        var header0 = Parse(records[6].Data);
        Assert.Equal((2u, 0UL), (header0.Flag, header0.Id));
        Assert.Equal([7f, 10f], header0.Labels); // images are keys [1, 7), identity headers [7, 10)
        Assert.Empty(header0.Payload);
        Assert.Equal([1f, 3f], Parse(records[7].Data).Labels);
        Assert.Equal([3f, 6f], Parse(records[8].Data).Labels);
        Assert.Equal([6f, 7f], Parse(records[9].Data).Labels);
        Assert.Equal([7UL, 8, 9], records.Skip(7).Select(r => Parse(r.Data).Id));

        Assert.Equal("3,112,112", File.ReadAllText(_tmp["out/property"]));
        var lst = File.ReadAllLines(_tmp["out/train.lst"]).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(6, lst.Length);
        Assert.All(lst, p => Assert.Equal("1", p[0])); // face2rec2 format: aligned, path, label
        Assert.Equal(expectedLabels.Select(l => l.ToString(CultureInfo.InvariantCulture)), lst.Select(p => p[2]));
        Assert.Equal(originals.Select(o => o.Path), lst.Select(p => p[1]));
    }

    [Fact]
    public void Writer_MagicWordInsideData_SplitsIntoContinuationPartsLikeDmlc()
    {
        // Magic at aligned offsets 4 and 8 (escaped) and at unaligned offset 13 (left alone), 19 bytes in all.
        var data = new byte[19];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(0x40 + i);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), RecordIOFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), RecordIOFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(13), RecordIOFormat.Magic);

        using var stream = new MemoryStream();
        var writer = new RecordIOWriter(stream);
        writer.Write(data);
        writer.Write([1, 2, 3, 4, 5]);
        var bytes = stream.ToArray();

        var expected = new List<byte>();
        void Part(uint cflag, ReadOnlySpan<byte> part)
        {
            expected.AddRange([0x0a, 0x23, 0xd7, 0xce]);
            var l = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(l, (cflag << 29) | (uint)part.Length);
            expected.AddRange(l);
            expected.AddRange(part.ToArray());
        }

        Part(1, data.AsSpan(0, 4));   // first part: bytes before the first magic
        Part(2, []);                  // middle part: nothing between the two magic words
        Part(3, data.AsSpan(12));     // last part: the rest, unaligned magic included
        expected.Add(0);              // 19 → padded to 20
        Part(0, [1, 2, 3, 4, 5]);
        expected.AddRange([0, 0, 0]);

        Assert.Equal(2, writer.EscapedMagicWords);
        Assert.Equal(expected.ToArray(), bytes);

        var reader = new RecordIOReader(new MemoryStream(bytes));
        Assert.Equal(data, reader.Read());
        Assert.Equal([1, 2, 3, 4, 5], reader.Read());
        Assert.Null(reader.Read());
    }

    [Fact]
    public void Reader_BadMagic_ThrowsNamingTheOffset()
    {
        using var stream = new MemoryStream();
        new RecordIOWriter(stream).Write([1, 2, 3, 4]);
        var bytes = stream.ToArray().Concat(new byte[] { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0 }).ToArray();
        var reader = new RecordIOReader(new MemoryStream(bytes), "test.rec");

        reader.Read();
        var error = Assert.Throws<RecordIOException>(() => reader.Read());

        Assert.Contains("offset 12", error.Message, StringComparison.Ordinal);
        Assert.Contains("test.rec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_TruncatedRecord_ThrowsInsteadOfReturningShortData()
    {
        using var stream = new MemoryStream();
        new RecordIOWriter(stream).Write(new byte[40]);
        var reader = new RecordIOReader(new MemoryStream(stream.ToArray()[..30]), "cut.rec");

        var error = Assert.Throws<RecordIOException>(() => reader.Read());

        Assert.Contains("announces 40 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PlainIm2RecFile_ListsEveryKeyAsAnImage()
    {
        // im2rec layout: no header record, scalar labels (flag 0).
        using (var w = new IndexedRecordWriter(_tmp["plain.rec"], _tmp["plain.idx"]))
        {
            w.Write(0, ImageRecord.Pack(0, 5f, [0xFF, 0xD8, 0xFF, 0xD9]));
            w.Write(1, ImageRecord.Pack(1, 7f, [0xFF, 0xD8, 0xFF, 0xD9, 0]));
        }

        var read = DatasetReader.Read(_tmp["plain"]);

        Assert.Equal("im2rec", read.Layout);
        Assert.Equal(2, read.Records);
        Assert.Equal(2, read.Identities);
        Assert.Equal([5, 7], read.Entries.Select(e => e.Label));
        Assert.Equal([4, 5], read.Entries.Select(e => e.JpegLength));
    }

    private string MakeDataset(out List<(string Path, byte[] Bytes, bool IsJpeg)> originals)
    {
        var root = _tmp["src"];
        originals = [];
        var identities = new (string Name, string[] Files)[]
        {
            ("Alice", ["a1.jpg", "a2.jpg"]),
            ("bob", ["b1.jpg", "b2.png", "b3.jpg"]),
            ("carol", ["c1.jpg"]),
        };
        var seed = 0;
        foreach (var (name, files) in identities)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            foreach (var file in files)
            {
                using var image = new Mat(112, 112, MatType.CV_8UC3, new Scalar(seed * 30 % 255, 80 + seed, 200 - seed));
                Cv2.Circle(image, new Point(20 + (seed * 9), 56), 15, Scalar.White, -1);
                seed++;
                Cv2.ImEncode(Path.GetExtension(file), image, out var bytes);
                var path = Path.Combine(root, name, file);
                File.WriteAllBytes(path, bytes);
                originals.Add((path, bytes, file.EndsWith(".jpg", StringComparison.Ordinal)));
            }
        }

        File.WriteAllText(Path.Combine(root, "bob", "notes.txt"), "not an image, not packed");
        File.WriteAllBytes(Path.Combine(root, "bob", "broken.png"), [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(root, "empty_identity"));
        // broken.png sorts after b3.jpg and is skipped, so originals are in packing order.
        return root;
    }
}
