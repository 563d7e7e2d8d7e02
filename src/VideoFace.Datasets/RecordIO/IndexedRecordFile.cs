using System.Globalization;
using System.Text;

namespace VideoFace.Datasets.RecordIO;

/// <summary>Writes a <c>.rec</c> with its <c>.idx</c> ("key&lt;TAB&gt;offset" lines), as <c>mx.recordio.MXIndexedRecordIO</c> in write mode.</summary>
public sealed class IndexedRecordWriter : IDisposable
{
    private readonly RecordIOWriter _rec;
    private readonly StreamWriter _idx;

    /// <summary>Creates (overwrites) both files.</summary>
    public IndexedRecordWriter(string recPath, string idxPath)
    {
        _rec = new RecordIOWriter(new FileStream(recPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
        _idx = new StreamWriter(idxPath, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
    }

    /// <summary>Number of magic words escaped into continuation parts.</summary>
    public int EscapedMagicWords => _rec.EscapedMagicWords;

    /// <summary>Writes a record under <paramref name="key"/>; the index line is written in write order.</summary>
    public void Write(long key, ReadOnlySpan<byte> record)
    {
        var offset = _rec.Write(record);
        _idx.Write(string.Create(CultureInfo.InvariantCulture, $"{key}\t{offset}\n"));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _idx.Dispose();
        _rec.Dispose();
    }
}

/// <summary>Random access to a <c>.rec</c> through its <c>.idx</c>, as <c>MXIndexedRecordIO</c> in read mode.</summary>
public sealed class IndexedRecordReader : IDisposable
{
    private readonly RecordIOReader _rec;
    private readonly string _recPath;

    private IndexedRecordReader(string recPath, IReadOnlyList<(long Key, long Offset)> index)
    {
        _recPath = recPath;
        _rec = new RecordIOReader(new FileStream(recPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), recPath);
        Index = index;
        Offsets = index.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Offset);
    }

    /// <summary>The index entries in file order.</summary>
    public IReadOnlyList<(long Key, long Offset)> Index { get; }

    /// <summary>Offset per key (the last line wins, as a Python dict built line by line).</summary>
    public IReadOnlyDictionary<long, long> Offsets { get; }

    /// <summary>Opens <paramref name="recPath"/> with the index at <paramref name="idxPath"/>.</summary>
    public static IndexedRecordReader Open(string recPath, string idxPath)
    {
        if (!File.Exists(recPath))
        {
            throw new FileNotFoundException($"RecordIO file not found: {recPath}", recPath);
        }

        if (!File.Exists(idxPath))
        {
            throw new FileNotFoundException($"RecordIO index not found: {idxPath}", idxPath);
        }

        var entries = new List<(long, long)>();
        var number = 0;
        foreach (var line in File.ReadLines(idxPath))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var parts = line.Split('\t');
            if (parts.Length != 2
                || !long.TryParse(parts[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var key)
                || !long.TryParse(parts[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset)
                || offset < 0)
            {
                throw new RecordIOException($"{idxPath}:{number}: expected \"key<TAB>offset\", got \"{line}\".");
            }

            entries.Add((key, offset));
        }

        return new IndexedRecordReader(recPath, entries);
    }

    /// <summary>Reads the record stored under <paramref name="key"/>.</summary>
    public byte[] Read(long key)
    {
        if (!Offsets.TryGetValue(key, out var offset))
        {
            throw new RecordIOException($"{_recPath}: no record with key {key} in the index.");
        }

        _rec.Seek(offset);
        return _rec.Read() ?? throw new RecordIOException($"{_recPath}: index points past the end of the file (key {key}, offset {offset}).");
    }

    /// <inheritdoc/>
    public void Dispose() => _rec.Dispose();
}
