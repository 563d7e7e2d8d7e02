using System.Buffers.Binary;
using OpenCvSharp;
using VideoFace.Vision.Imaging;

namespace VideoFace.Vision.Tests;

public sealed class BadInputTests
{
    private readonly ImageDecoder _decoder = new(maxPixels: 64L * 1024 * 1024);

    [Fact]
    public void Decode_EmptyBytes_SaysEmpty()
    {
        var ex = Assert.Throws<InvalidImageException>(() => _decoder.Decode([]));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void Decode_TextFile_SaysNotAnImage()
    {
        var ex = Assert.Throws<InvalidImageException>(() => _decoder.Decode("hello, this is not a photo"u8));
        Assert.Contains("not an image", ex.Message);
    }

    [Fact]
    public void Decode_ZeroByZeroPng_SaysNoPixels()
    {
        var ex = Assert.Throws<InvalidImageException>(() => _decoder.Decode(PngHeader(0, 0)));
        Assert.Contains("no pixels", ex.Message);
    }

    [Fact]
    public void Decode_30000Square_IsRefusedBeforeDecoding()
    {
        var before = GC.GetTotalAllocatedBytes();
        var ex = Assert.Throws<InvalidImageException>(() => _decoder.Decode(PngHeader(30000, 30000)));
        Assert.Contains("30000×30000", ex.Message);
        Assert.Contains("limit", ex.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 10_000_000, "no large buffer was allocated");
    }

    [Fact]
    public void Decode_HugeJpegHeader_IsRefusedBeforeDecoding()
    {
        using var small = new Mat(16, 16, MatType.CV_8UC3, Scalar.All(90));
        Cv2.ImEncode(".jpg", small, out var jpg);
        // patch the SOF0 frame size to 30000×30000
        for (int i = 2; i < jpg.Length - 9; i++)
        {
            if (jpg[i] == 0xFF && jpg[i + 1] == 0xC0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(i + 5), 30000);
                BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(i + 7), 30000);
                break;
            }
        }
        var ex = Assert.Throws<InvalidImageException>(() => _decoder.Decode(jpg));
        Assert.Contains("JPEG image is 30000×30000", ex.Message);
    }

    [Fact]
    public void Decode_TruncatedJpeg_SaysCorrupt()
    {
        using var img = new Mat(64, 64, MatType.CV_8UC3, Scalar.All(200));
        Cv2.ImEncode(".jpg", img, out var jpg);
        var ex = Assert.Throws<InvalidImageException>(() => _decoder.Decode(jpg.AsSpan(0, 20)));
        Assert.Contains("JPEG", ex.Message);
    }

    [Fact]
    public void DecodeFile_MissingFile_NamesIt()
    {
        var ex = Assert.Throws<InvalidImageException>(() => _decoder.DecodeFile("/nonexistent/photo.jpg"));
        Assert.Contains("/nonexistent/photo.jpg", ex.Message);
    }

    [Fact]
    public void EnsureBgr_EmptyMat_SaysEmpty()
    {
        using var empty = new Mat();
        Assert.Throws<InvalidImageException>(() => ImageDecoder.EnsureBgr(empty));
    }

    [Fact]
    public void EnsureBgr_SixteenBitGrey_BecomesEightBitBgr()
    {
        using var grey16 = new Mat(10, 10, MatType.CV_16UC1, Scalar.All(65535));
        using var bgr = ImageDecoder.EnsureBgr(grey16);
        Assert.Equal(MatType.CV_8UC3, bgr.Type());
        Assert.Equal(255, bgr.At<Vec3b>(0, 0).Item0);
    }

    /// <summary>A PNG signature and IHDR chunk with the given size (no image data follows).</summary>
    private static byte[] PngHeader(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; ihdr[9] = 2;
        var chunk = new List<byte>();
        chunk.AddRange([0, 0, 0, 13]);
        chunk.AddRange("IHDR"u8.ToArray());
        chunk.AddRange(ihdr);
        chunk.AddRange([0, 0, 0, 0]); // CRC: the size check reads the header before anything verifies it
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. chunk];
    }
}
