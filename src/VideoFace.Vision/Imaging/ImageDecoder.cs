using System.Buffers.Binary;
using OpenCvSharp;

namespace VideoFace.Vision.Imaging;

/// <summary>An input that is not a usable image: the message says why; nothing else is affected.</summary>
public sealed class InvalidImageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Decodes image bytes into BGR 8-bit 3-channel Mats, refusing empty, unknown, degenerate and oversized
/// images before any large allocation (the size is read from the header first).
/// </summary>
public sealed class ImageDecoder(long maxPixels = 64L * 1024 * 1024)
{
    public long MaxPixels { get; } = maxPixels;

    /// <summary>Reads and decodes an image file.</summary>
    public Mat DecodeFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidImageException($"cannot read '{path}': {ex.Message}", ex);
        }
        try
        {
            return Decode(bytes);
        }
        catch (InvalidImageException ex)
        {
            throw new InvalidImageException($"'{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Decodes bytes; grey, alpha and 16-bit images come back as 8-bit BGR. EXIF orientation is applied.</summary>
    public Mat Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) throw new InvalidImageException("empty input (0 bytes)");
        var format = Sniff(bytes);
        if (format is null)
            throw new InvalidImageException("not an image: the bytes are not JPEG, PNG, BMP, GIF, WebP or TIFF");
        if (ReadSize(bytes, format) is { } size)
        {
            if (size.Width <= 0 || size.Height <= 0)
                throw new InvalidImageException($"{format} image has no pixels ({size.Width}×{size.Height})");
            if ((long)size.Width * size.Height > MaxPixels)
                throw new InvalidImageException($"{format} image is {size.Width}×{size.Height}, larger than the {MaxPixels:N0}-pixel limit");
        }
        Mat mat;
        try
        {
            mat = Cv2.ImDecode(bytes, ImreadModes.Color);
        }
        catch (OpenCVException ex)
        {
            throw new InvalidImageException($"{format} data could not be decoded: {ex.Message}", ex);
        }
        if (mat.Empty())
        {
            mat.Dispose();
            throw new InvalidImageException($"{format} data is corrupt or truncated and could not be decoded");
        }
        if ((long)mat.Cols * mat.Rows > MaxPixels)
        {
            var (w, h) = (mat.Cols, mat.Rows);
            mat.Dispose();
            throw new InvalidImageException($"image is {w}×{h}, larger than the {MaxPixels:N0}-pixel limit");
        }
        return mat;
    }

    /// <summary>Validates an already decoded Mat for the pipeline: non-empty, converted to 8-bit BGR when needed (returns a new Mat then).</summary>
    public static Mat EnsureBgr(Mat image)
    {
        if (image.Empty() || image.Cols == 0 || image.Rows == 0) throw new InvalidImageException("empty image (0×0)");
        if (image.Type() == MatType.CV_8UC3) return image;
        var src = image;
        Mat? scaled = null;
        if (image.Depth() != MatType.CV_8U)
        {
            scaled = new Mat();
            double alpha = image.Depth() == MatType.CV_16U ? 1 / 257.0 : image.Depth() is 5 or 6 ? 255.0 : 1.0;
            image.ConvertTo(scaled, MatType.CV_8U, alpha);
            src = scaled;
        }
        var bgr = new Mat();
        switch (src.Channels())
        {
            case 1: Cv2.CvtColor(src, bgr, ColorConversionCodes.GRAY2BGR); break;
            case 3: src.CopyTo(bgr); break;
            case 4: Cv2.CvtColor(src, bgr, ColorConversionCodes.BGRA2BGR); break;
            default:
                bgr.Dispose();
                scaled?.Dispose();
                throw new InvalidImageException($"unsupported image with {src.Channels()} channels");
        }
        scaled?.Dispose();
        return bgr;
    }

    private static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "JPEG";
        if (b.Length >= 8 && b[..8].SequenceEqual(PngMagic)) return "PNG";
        if (b.Length >= 2 && b[0] == 'B' && b[1] == 'M') return "BMP";
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return "GIF";
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return "WebP";
        if (b.Length >= 4 && (b[..4].SequenceEqual("II*\0"u8) || b[..4].SequenceEqual("MM\0*"u8))) return "TIFF";
        return null;
    }

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the header where the format makes that cheap; null when unknown (OpenCV then decides).</summary>
    private static (int Width, int Height)? ReadSize(ReadOnlySpan<byte> b, string format)
    {
        switch (format)
        {
            case "PNG" when b.Length >= 24:
                return ((int)BinaryPrimitives.ReadUInt32BigEndian(b[16..]), (int)BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
            case "BMP" when b.Length >= 26:
                return (BinaryPrimitives.ReadInt32LittleEndian(b[18..]), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(b[22..])));
            case "GIF" when b.Length >= 10:
                return (BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
            case "JPEG":
                return JpegSize(b);
            default:
                return null;
        }
    }

    private static (int, int)? JpegSize(ReadOnlySpan<byte> b)
    {
        int pos = 2;
        while (pos + 4 <= b.Length)
        {
            if (b[pos] != 0xFF) return null;
            byte marker = b[pos + 1];
            if (marker == 0xFF) { pos++; continue; }
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; }
            int len = BinaryPrimitives.ReadUInt16BigEndian(b[(pos + 2)..]);
            bool sof = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (sof && pos + 9 <= b.Length)
                return (BinaryPrimitives.ReadUInt16BigEndian(b[(pos + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(pos + 5)..]));
            pos += 2 + len;
        }
        return null;
    }
}
