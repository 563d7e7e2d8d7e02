using System.Buffers.Binary;

namespace VideoFace.Vision.Onnx;

/// <summary>
/// A protobuf message kept as its raw fields, so that a few fields can be edited and everything else is
/// written back byte for byte. Enough of the wire format for ONNX graph surgery; groups are refused.
/// </summary>
internal sealed class ProtoMessage
{
    public List<ProtoField> Fields { get; } = [];

    public static ProtoMessage Parse(ReadOnlyMemory<byte> data)
    {
        var msg = new ProtoMessage();
        var span = data.Span;
        int pos = 0;
        while (pos < span.Length)
        {
            ulong tag = ReadVarint(span, ref pos);
            int number = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (number <= 0) throw new FormatException($"bad field number {number} at byte {pos}");
            switch (wire)
            {
                case 0:
                    msg.Fields.Add(new ProtoField(number, wire) { Varint = ReadVarint(span, ref pos) });
                    break;
                case 1:
                    Need(span, pos, 8);
                    msg.Fields.Add(new ProtoField(number, wire) { Bytes = data.Slice(pos, 8) });
                    pos += 8;
                    break;
                case 2:
                    ulong len = ReadVarint(span, ref pos);
                    if (len > (ulong)(span.Length - pos)) throw new FormatException($"field {number} length {len} runs past the end");
                    msg.Fields.Add(new ProtoField(number, wire) { Bytes = data.Slice(pos, (int)len) });
                    pos += (int)len;
                    break;
                case 5:
                    Need(span, pos, 4);
                    msg.Fields.Add(new ProtoField(number, wire) { Bytes = data.Slice(pos, 4) });
                    pos += 4;
                    break;
                default:
                    throw new FormatException($"unsupported wire type {wire} for field {number}");
            }
        }
        return msg;
    }

    public IEnumerable<ProtoField> All(int number) => Fields.Where(f => f.Number == number);

    public ProtoField? First(int number) => Fields.FirstOrDefault(f => f.Number == number);

    public string? String(int number) =>
        First(number) is { WireType: 2 } f ? System.Text.Encoding.UTF8.GetString(f.Bytes.Span) : null;

    public byte[] ToBytes()
    {
        var buffer = new MemoryStream();
        WriteTo(buffer);
        return buffer.ToArray();
    }

    private void WriteTo(Stream s)
    {
        foreach (var f in Fields)
        {
            WriteVarint(s, ((ulong)f.Number << 3) | (uint)f.WireType);
            switch (f.WireType)
            {
                case 0:
                    WriteVarint(s, f.Varint);
                    break;
                case 2:
                    var payload = f.Child is null ? f.Bytes.Span : f.Child.ToBytes();
                    WriteVarint(s, (ulong)payload.Length);
                    s.Write(payload);
                    break;
                default:
                    s.Write(f.Bytes.Span);
                    break;
            }
        }
    }

    private static void Need(ReadOnlySpan<byte> span, int pos, int n)
    {
        if (pos + n > span.Length) throw new FormatException("message truncated");
    }

    internal static ulong ReadVarint(ReadOnlySpan<byte> span, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= span.Length) throw new FormatException("varint truncated");
            byte b = span[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("varint too long");
    }

    internal static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }

    internal static long ReadInt64LittleEndian(ReadOnlySpan<byte> span) => BinaryPrimitives.ReadInt64LittleEndian(span);
}

/// <summary>One raw field of a <see cref="ProtoMessage"/>; <see cref="Child"/> replaces <see cref="Bytes"/> once parsed for editing.</summary>
internal sealed class ProtoField(int number, int wireType)
{
    public int Number { get; } = number;
    public int WireType { get; } = wireType;
    public ulong Varint { get; set; }
    public ReadOnlyMemory<byte> Bytes { get; set; }
    public ProtoMessage? Child { get; set; }

    /// <summary>The field as a nested message, parsed once and then edited in place.</summary>
    public ProtoMessage Message => Child ??= ProtoMessage.Parse(Bytes);
}
