using System.Buffers.Binary;

namespace VideoFace.Datasets.RecordIO;

/// <summary>Writes records in dmlc/MXNet RecordIO framing, byte for byte as <c>dmlc::RecordIOWriter::WriteRecord</c>.</summary>
/// <remarks>
/// A 4-aligned magic word inside the data would make the file ambiguous to a reader that resynchronises on
/// magic, so, as dmlc does, the record is split there into parts with cflag 1 (first), 2 (middle) and 3
/// (last); the magic word itself is dropped and the reader puts it back between parts. Only the end of the
/// whole record is padded. Like MXNet, a record of 2^29 bytes or more is refused: the 29-bit length cannot
/// hold it and MXNet readers would not accept any other encoding.
/// </remarks>
public sealed class RecordIOWriter(Stream stream) : IDisposable
{
    private readonly Stream _stream = stream ?? throw new ArgumentNullException(nameof(stream));

    /// <summary>Number of magic words escaped so far (dmlc's <c>except_counter</c>).</summary>
    public int EscapedMagicWords { get; private set; }

    /// <summary>Stream position, the offset the next record starts at (what <c>.idx</c> stores).</summary>
    public long Position => _stream.Position;

    /// <summary>Writes one record and returns the offset it starts at.</summary>
    public long Write(ReadOnlySpan<byte> data)
    {
        if (data.Length > RecordIOFormat.MaxRecordLength)
        {
            throw new RecordIOException(
                $"A RecordIO record must be shorter than 2^29 bytes; this one has {data.Length} bytes.");
        }

        var start = _stream.Position;
        var length = data.Length;
        var lowerAlign = length & ~3;
        var dptr = 0;
        for (var i = 0; i < lowerAlign; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) == RecordIOFormat.Magic)
            {
                WritePart(dptr == 0 ? RecordIOFormat.FirstPart : RecordIOFormat.MiddlePart, data[dptr..i]);
                dptr = i + 4;
                EscapedMagicWords++;
            }
        }

        WritePart(dptr != 0 ? RecordIOFormat.LastPart : RecordIOFormat.WholeRecord, data[dptr..]);
        var pad = (int)(RecordIOFormat.Align4(length) - length);
        if (pad != 0)
        {
            Span<byte> zero = stackalloc byte[4];
            zero.Clear();
            _stream.Write(zero[..pad]);
        }

        return start;
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();

    private void WritePart(uint cflag, ReadOnlySpan<byte> part)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(head, RecordIOFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], RecordIOFormat.EncodeLRecord(cflag, (uint)part.Length));
        _stream.Write(head);
        _stream.Write(part);
    }
}
