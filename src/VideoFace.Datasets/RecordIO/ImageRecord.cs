using System.Buffers.Binary;

namespace VideoFace.Datasets.RecordIO;

/// <summary>MXNet's <c>IRHeader</c> (struct format <c>IfQQ</c>, 24 bytes little-endian): flag, label, id, id2.</summary>
/// <remarks>flag &gt; 0 means the label is an array of <c>flag</c> float32 values stored right after the header, and the scalar label is 0.</remarks>
public readonly record struct IRHeader(uint Flag, float Label, ulong Id, ulong Id2)
{
    /// <summary>Size of the packed header.</summary>
    public const int Size = 24;
}

/// <summary>One unpacked image record: header, label array (empty when flag is 0) and payload (JPEG bytes, or empty for header records).</summary>
public sealed record ImageRecord(IRHeader Header, float[] Labels, byte[] Payload)
{
    /// <summary>The class label: the scalar label, or the first array element as arcface_torch takes it.</summary>
    public float ClassLabel => Labels.Length > 0 ? Labels[0] : Header.Label;

    /// <summary>Packs like <c>mx.recordio.pack</c>: a label array sets flag to its length and the scalar label to 0.</summary>
    public static byte[] Pack(ulong id, float label, ReadOnlySpan<byte> payload, ulong id2 = 0) =>
        Pack(new IRHeader(0, label, id, id2), [], payload);

    /// <summary>Packs a record whose label is an array (flag = array length).</summary>
    public static byte[] Pack(ulong id, ReadOnlySpan<float> labels, ReadOnlySpan<byte> payload, ulong id2 = 0)
    {
        if (labels.Length == 0)
        {
            throw new ArgumentException("A label array needs at least one value; use the scalar overload otherwise.", nameof(labels));
        }

        return Pack(new IRHeader((uint)labels.Length, 0f, id, id2), labels, payload);
    }

    /// <summary>Splits a record's bytes like <c>mx.recordio.unpack</c>.</summary>
    public static ImageRecord Unpack(ReadOnlySpan<byte> record, string where = "record")
    {
        if (record.Length < IRHeader.Size)
        {
            throw new RecordIOException($"{where}: {record.Length} bytes is shorter than the 24-byte IRHeader.");
        }

        var header = new IRHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(record),
            BinaryPrimitives.ReadSingleLittleEndian(record[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(record[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(record[16..]));
        var rest = record[IRHeader.Size..];
        var labels = Array.Empty<float>();
        if (header.Flag > 0)
        {
            if ((long)header.Flag * 4 > rest.Length)
            {
                throw new RecordIOException($"{where}: flag {header.Flag} announces {header.Flag} float labels but only {rest.Length} bytes follow the header.");
            }

            labels = new float[header.Flag];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = BinaryPrimitives.ReadSingleLittleEndian(rest[(i * 4)..]);
            }

            rest = rest[(labels.Length * 4)..];
        }

        return new ImageRecord(header, labels, rest.ToArray());
    }

    private static byte[] Pack(IRHeader header, ReadOnlySpan<float> labels, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[IRHeader.Size + (labels.Length * 4) + payload.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, header.Flag);
        BinaryPrimitives.WriteSingleLittleEndian(span[4..], header.Label);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], header.Id);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], header.Id2);
        for (var i = 0; i < labels.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[(IRHeader.Size + (i * 4))..], labels[i]);
        }

        payload.CopyTo(span[(IRHeader.Size + (labels.Length * 4))..]);
        return bytes;
    }
}
