using System.Security.Cryptography;
using System.Text;
using VideoFace.Datasets.Pickle;

namespace VideoFace.Datasets.Tests;

public sealed class VerificationBinTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Write_SameContentAsCPython_IsByteIdenticalToPickleDumpProtocol4()
    {
        // Reference: CPython 3.11 `pickle.dumps((bins, issame), protocol=4)` for exactly this content
        // (1,200 images, one of 70,000 bytes that goes outside any frame; 600 bools, so two APPENDS batches).
        var images = new List<byte[]>();
        for (var i = 0; i < 1200; i++)
        {
            var n = i == 5 ? 70000 : i % 3 == 0 ? 100 : 300 + (i * 37 % 500);
            images.Add(Enumerable.Range(0, n).Select(j => (byte)(((i * 7) + j) % 251)).ToArray());
        }

        var issame = Enumerable.Range(0, 600).Select(k => k * 5 % 3 == 0).ToList();
        using var output = new MemoryStream();

        VerificationBin.Write(output, images, issame);

        Assert.Equal(554211, output.Length);
        Assert.Equal("16a3463c8f3bb27f6f86f1af38a0fcbf8827c4d2a57de8cd3d6b7223f9c3567d", Convert.ToHexStringLower(SHA256.HashData(output.ToArray())));
    }

    [Fact]
    public void Write_SmallSet_MatchesCPythonOpcodeForOpcode()
    {
        // pickle.dumps(([b'ab', b'c' * 300], [True]), protocol=4): FRAME, SHORT_BINBYTES, BINBYTES, MEMOIZE, APPENDS, APPEND, TUPLE2.
        var expected = Convert.FromHexString(
            "80049542010000000000005d94284302616294422c010000" + string.Concat(Enumerable.Repeat("63", 300)) + "94655d94886186942e");
        using var output = new MemoryStream();

        VerificationBin.Write(output, [Encoding.ASCII.GetBytes("ab"), Encoding.ASCII.GetBytes(new string('c', 300))], [true]);

        Assert.Equal(expected, output.ToArray());
    }

    [Fact]
    public void Read_FileWrittenInInsightFaceProtocol_ReturnsImagesAndIssameExactly()
    {
        var random = new Random(7);
        var images = Enumerable.Range(0, 2400).Select(i => RandomBytes(random, i == 3 ? 100_000 : random.Next(0, 9000))).ToList();
        var issame = Enumerable.Range(0, 1200).Select(_ => random.Next(2) == 1).ToList();
        var path = _tmp["lfw.bin"];

        VerificationBin.Write(path, images, issame);
        var read = VerificationBin.Read(path);

        Assert.Equal(issame, read.IsSame);
        Assert.Equal(images.Count, read.Images.Count);
        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal(images[i], read.Images[i]);
        }
    }

    [Fact]
    public void Parse_Python2Protocol2File_ReadsStrImagesAsBytes()
    {
        // Python 2: pickle.dump(([str 'ab', str 300×'c'], [True]), f, 2) → SHORT_BINSTRING, BINSTRING, BINPUT, APPENDS.
        var data = Bytes("80 02 5d 71 00 28 55 02 61 62 71 01 54 2c 01 00 00")
            .Concat(Enumerable.Repeat((byte)'c', 300))
            .Concat(Bytes("71 02 65 5d 71 03 88 61 86 71 04 2e"))
            .ToArray();

        var read = VerificationBin.Parse(data);

        Assert.Equal("ab"u8.ToArray(), read.Images[0]);
        Assert.Equal(Enumerable.Repeat((byte)'c', 300), read.Images[1]);
        Assert.Equal([true], read.IsSame);
    }

    [Fact]
    public void Parse_Python3Protocol2File_DecodesCodecsEncodedBytes()
    {
        // CPython 3.11 pickle.dumps(([b'ab', b''], [True]), protocol=2): bytes become _codecs.encode(str, 'latin1') and bytes().
        var data = Convert.FromHexString(
            "80025d710028635f636f646563730a656e636f64650a710158020000006162710258060000006c6174696e317103867104527105635f5f6275696c74696e5f5f0a62797465730a710629527107655d710888618671092e");

        var read = VerificationBin.Parse(data);

        Assert.Equal("ab"u8.ToArray(), read.Images[0]);
        Assert.Empty(read.Images[1]);
        Assert.Equal([true], read.IsSame);
    }

    [Fact]
    public void Parse_IssameAsNumpyBoolArray_DecodesIt()
    {
        // numpy's ndarray.__reduce__ under protocol 4: _reconstruct(ndarray, (0,), b'b') then BUILD
        // (1, (3,), dtype('b1', False, True) + BUILD (3, '|', None, None, None, -1, -1, 0), False, b'\x01\x00\x01').
        var p = new List<byte>(Bytes("80 04 5d 94 28"));
        for (var i = 0; i < 6; i++)
        {
            p.AddRange(Bytes("43 01 61 94"));
        }

        p.AddRange(Bytes("65"));
        p.AddRange(Unicode("numpy.core.multiarray"));
        p.AddRange(Unicode("_reconstruct"));
        p.AddRange(Bytes("93 94"));
        p.AddRange(Unicode("numpy"));  // memo 10: after the list, 6 bytes, 2 names and the global
        p.AddRange(Unicode("ndarray"));
        p.AddRange(Bytes("93 94 4b 00 85 94 43 01 62 94 87 94 52 94 28 4b 01 4b 03 85 94"));
        p.AddRange(Bytes("68 0a")); // BINGET the "numpy" string again, as CPython does for a repeated module name
        p.AddRange(Unicode("dtype"));
        p.AddRange(Bytes("93 94"));
        p.AddRange(Unicode("b1"));
        p.AddRange(Bytes("89 88 87 94 52 94 28 4b 03"));
        p.AddRange(Unicode("|"));
        p.AddRange(Bytes("4e 4e 4e 4a ff ff ff ff 4a ff ff ff ff 4b 00 74 94 62 89 43 03 01 00 01 94 74 94 62 86 94 2e"));

        var read = VerificationBin.Parse(p.ToArray());

        Assert.Equal([true, false, true], read.IsSame);
        Assert.Equal(6, read.Images.Count);
    }

    [Fact]
    public void Parse_UnsupportedOpcode_NamesOpcodeAndOffset()
    {
        var error = Assert.Throws<PickleException>(() => VerificationBin.Parse(Bytes("80 04 7d 94 2e"))); // pickle.dumps({}, 4)

        Assert.Equal(2, error.Offset);
        Assert.Contains("0x7d", error.Message, StringComparison.Ordinal);
        Assert.Contains("EMPTY_DICT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ArbitraryGlobal_IsRefusedNotExecuted()
    {
        byte[] data = [.. Bytes("80 02"), .. "cos\nsystem\n"u8.ToArray(), .. Bytes("29 52 2e")];

        var error = Assert.Throws<PickleException>(() => VerificationBin.Parse(data));

        Assert.Contains("'os.system'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedFile_ThrowsClearError()
    {
        var path = _tmp["cut.bin"];
        using (var output = new MemoryStream())
        {
            VerificationBin.Write(output, [new byte[500], new byte[500]], [true]);
            File.WriteAllBytes(path, output.ToArray()[..600]);
        }

        var error = Assert.Throws<InvalidDataException>(() => VerificationBin.Read(path));

        Assert.Contains("cut.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ImageCountNotTwicePairCount_Throws()
    {
        using var output = new MemoryStream();
        VerificationBin.Write(output, [new byte[3], new byte[3], new byte[3]], [true]);

        var error = Assert.Throws<PickleException>(() => VerificationBin.Parse(output.ToArray()));

        Assert.Contains("3 images for 1 pairs", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    // SHORT_BINUNICODE + MEMOIZE, as protocol 4 writes module and attribute names.
    private static byte[] Unicode(string s) => [0x8c, (byte)s.Length, .. Encoding.ASCII.GetBytes(s), 0x94];

    private static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }
}
