namespace VideoFace.Datasets.RecordIO;

/// <summary>Constants and word encoding of dmlc/MXNet RecordIO: <c>magic, lrecord, data, pad to 4 bytes</c>, little-endian.</summary>
public static class RecordIOFormat
{
    /// <summary>The word that starts every (part of a) record.</summary>
    public const uint Magic = 0xced7230a;

    /// <summary>Records must be shorter than 2^29 bytes: the length field has 29 bits.</summary>
    public const int MaxRecordLength = (1 << 29) - 1;

    /// <summary>cflag of a whole record.</summary>
    public const uint WholeRecord = 0;

    /// <summary>cflag of the first part of a record that was split where its data held the magic word.</summary>
    public const uint FirstPart = 1;

    /// <summary>cflag of a middle part.</summary>
    public const uint MiddlePart = 2;

    /// <summary>cflag of the last part.</summary>
    public const uint LastPart = 3;

    /// <summary>The lrecord word: cflag in the upper 3 bits, length in the lower 29.</summary>
    public static uint EncodeLRecord(uint cflag, uint length) => (cflag << 29) | length;

    /// <summary>cflag of an lrecord word.</summary>
    public static uint DecodeFlag(uint lrecord) => (lrecord >> 29) & 7u;

    /// <summary>Length of an lrecord word.</summary>
    public static uint DecodeLength(uint lrecord) => lrecord & ((1u << 29) - 1);

    /// <summary>Length rounded up to a multiple of 4.</summary>
    public static long Align4(long length) => (length + 3) & ~3L;
}
