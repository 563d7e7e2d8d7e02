using FFMpegCore;
using OpenCvSharp;
using VideoFace.Media.Frames;
using VideoFace.Media.Output;
using VideoFace.Media.Sources;
using VideoFace.Media.Tests.Support;
using VideoFace.Testing;

namespace VideoFace.Media.Tests;

public sealed class OutputTests : IDisposable
{
    private readonly string _folder = TestVideos.TempFolder("output");

    [Fact]
    public async Task VideoWriter_BgrFrames_MakesAPlayableH264Yuv420pMp4()
    {
        var path = Path.Combine(_folder, "annotated.mp4");
        await using (var writer = FfmpegVideoWriter.Open(path, 161, 120, 10)) // odd width: padded to even
        {
            var pixels = new byte[161 * 120 * 3];
            for (var i = 0; i < 30; i++)
            {
                Array.Fill(pixels, (byte)(i * 8));
                using var frame = VideoFrame.FromBgr(pixels, 161, 120);
                await writer.WriteAsync(frame);
            }
            await writer.CompleteAsync();
            Assert.Equal(30, writer.FramesWritten);
        }

        var info = await FFProbe.AnalyseAsync(path);
        Assert.Equal("h264", info.PrimaryVideoStream!.CodecName);
        Assert.Equal("yuv420p", info.PrimaryVideoStream.PixelFormat);
        Assert.Equal((162, 120), (info.PrimaryVideoStream.Width, info.PrimaryVideoStream.Height));
        await using var source = new FfmpegFrameSource(path, SourceRun.Fast());
        var frames = await SourceRun.ReadAllAsync(source, TimeSpan.FromSeconds(20));
        Assert.Equal(30, frames.Count);
        Assert.InRange(frames[^1].FirstByte, 232 - 6, 232 + 6); // the last frame's grey level survived encoding
    }

    [Fact]
    public async Task VideoWriter_WrongFrameSize_Throws()
    {
        await using var writer = FfmpegVideoWriter.Open(Path.Combine(_folder, "x.mp4"), 64, 64, 5);
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.WriteAsync(new byte[10]));
    }

    [Fact]
    public void JpegEncoder_Frame_EncodesAJpegOfTheSameSize()
    {
        var pixels = new byte[64 * 48 * 3];
        Random.Shared.NextBytes(pixels);
        using var frame = VideoFrame.FromBgr(pixels, 64, 48);
        var jpeg = JpegEncoder.Encode(frame, quality: 85);

        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal((64, 48), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void JpegEncoder_RegionPartlyOutside_EncodesTheClippedCrop()
    {
        using var frame = VideoFrame.FromBgr(new byte[100 * 80 * 3], 100, 80);
        var jpeg = JpegEncoder.EncodeRegion(frame, new Rect(80, 60, 40, 40));
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal((20, 20), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void AsMat_Frame_SharesTheBufferWithoutCopy()
    {
        var pixels = new byte[8 * 4 * 3];
        using var frame = VideoFrame.FromBgr(pixels, 8, 4);
        using var mat = frame.AsMat();
        mat.Set(1, 2, new Vec3b(10, 20, 30));
        Assert.Equal([10, 20, 30], pixels.AsSpan((1 * 8 + 2) * 3, 3).ToArray());
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
