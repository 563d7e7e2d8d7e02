using System.Buffers.Binary;

namespace VideoFace.Datasets.RecordIO;

/// <summary>Reads dmlc/MXNet RecordIO records, reassembling parts split at escaped magic words.</summary>
public sealed class RecordIOReader(Stream stream, string name = "recordio") : IDisposable
{
    private static readonly byte[] MagicBytes = [0x0a, 0x23, 0xd7, 0xce]; // RecordIOFormat.Magic, little-endian

    private readonly Stream _stream = stream ?? throw new ArgumentNullException(nameof(stream));

    /// <summary>Moves to a record offset, as found in the <c>.idx</c> file.</summary>
    public void Seek(long offset) => _stream.Position = offset;

    /// <summary>Reads the record at the current position, or returns null at the end of the stream.</summary>
    public byte[]? Read()
    {
        using var record = new MemoryStream();
        Span<byte> head = stackalloc byte[8];
        var first = true;
        while (true)
        {
            var at = _stream.Position;
            var got = _stream.ReadAtLeast(head, 8, throwOnEndOfStream: false);
            if (got == 0 && first)
            {
                return null;
            }

            if (got < 8)
            {
                throw new RecordIOException($"{name}: truncated record header at offset {at}.");
            }

            var magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (magic != RecordIOFormat.Magic)
            {
                throw new RecordIOException($"{name}: expected magic 0x{RecordIOFormat.Magic:x8} at offset {at}, found 0x{magic:x8}.");
            }

            var lrecord = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            var cflag = RecordIOFormat.DecodeFlag(lrecord);
            var length = (int)RecordIOFormat.DecodeLength(lrecord);
            if (cflag > RecordIOFormat.LastPart || (first && cflag is RecordIOFormat.MiddlePart or RecordIOFormat.LastPart)
                || (!first && cflag is RecordIOFormat.WholeRecord or RecordIOFormat.FirstPart))
            {
                throw new RecordIOException($"{name}: unexpected continuation flag {cflag} at offset {at}.");
            }

            // Parts are 4-aligned because each split happens at an aligned magic word; only the end is padded.
            var stored = (int)RecordIOFormat.Align4(length);
            var buffer = new byte[stored];
            if (_stream.ReadAtLeast(buffer, stored, throwOnEndOfStream: false) < stored)
            {
                throw new RecordIOException($"{name}: record at offset {at} announces {length} bytes but the file ends first.");
            }

            record.Write(buffer, 0, length);
            if (cflag is RecordIOFormat.WholeRecord or RecordIOFormat.LastPart)
            {
                return record.ToArray();
            }

            record.Write(MagicBytes);
            first = false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
