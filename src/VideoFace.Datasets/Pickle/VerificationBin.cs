using System.Buffers.Binary;

namespace VideoFace.Datasets.Pickle;

/// <summary>An InsightFace verification set: 2·N encoded images (pair k is images 2k and 2k+1) and N same/different flags.</summary>
public sealed record VerificationBinData(IReadOnlyList<byte[]> Images, IReadOnlyList<bool> IsSame);

/// <summary>Reads and writes InsightFace verification <c>.bin</c> files (<c>lfw.bin</c>, <c>cfp_fp.bin</c>, <c>agedb_30.bin</c>, …).</summary>
/// <remarks>
/// The file is <c>pickle.dump((bins, issame_list), f, protocol=pickle.HIGHEST_PROTOCOL)</c>: a tuple of a list of
/// encoded images and a list of bools. Python 3 files use protocol 4/5 bytes opcodes, Python 2 files protocol 2
/// str opcodes; both read. An issame stored as a 1-D numpy bool or integer array is decoded too.
/// </remarks>
public static class VerificationBin
{
    /// <summary>Reads a <c>.bin</c> file.</summary>
    public static VerificationBinData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (PickleException e)
        {
            throw new InvalidDataException($"{path}: not a readable InsightFace verification .bin: {e.Message}", e);
        }
    }

    /// <summary>Parses the bytes of a <c>.bin</c> file.</summary>
    public static VerificationBinData Parse(byte[] data)
    {
        var root = Unpickler.Load(data);
        if (root is not PickleTuple { Items.Count: 2 } tuple)
        {
            throw new PickleException($"Expected a tuple (bins, issame_list) but the pickle holds {Describe(root)}", 0);
        }

        if (tuple.Items[0] is not List<object?> bins)
        {
            throw new PickleException($"Expected bins to be a list but it is {Describe(tuple.Items[0])}", 0);
        }

        var images = new List<byte[]>(bins.Count);
        for (var i = 0; i < bins.Count; i++)
        {
            images.Add(bins[i] as byte[] ?? throw new PickleException($"bins[{i}] is {Describe(bins[i])}, not bytes", 0));
        }

        var issame = ToBools(tuple.Items[1]);
        if (images.Count != 2 * issame.Count)
        {
            throw new PickleException($"{images.Count} images for {issame.Count} pairs; a verification set has exactly two images per pair", 0);
        }

        return new VerificationBinData(images, issame);
    }

    /// <summary>Writes a <c>.bin</c> as Python 3's C pickler does with protocol 4 (the protocol InsightFace's scripts get from HIGHEST_PROTOCOL on 3.4–3.7).</summary>
    public static void Write(string path, IReadOnlyList<byte[]> images, IReadOnlyList<bool> isSame)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        Write(file, images, isSame);
    }

    /// <summary>Writes the pickle of <c>(images, isSame)</c> to <paramref name="output"/>.</summary>
    public static void Write(Stream output, IReadOnlyList<byte[]> images, IReadOnlyList<bool> isSame)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(isSame);
        var pickler = new FramedPickler(output);
        pickler.Begin();
        pickler.List(images.Count, i => pickler.Bytes(images[i]));
        pickler.List(isSame.Count, i => pickler.Bool(isSame[i]));
        pickler.Tuple2();
        pickler.End();
    }

    private static List<bool> ToBools(object? value)
    {
        switch (value)
        {
            case List<object?> list:
                var result = new List<bool>(list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    result.Add(list[i] switch
                    {
                        bool b => b,
                        long l and (0 or 1) => l == 1,
                        var other => throw new PickleException($"issame_list[{i}] is {Describe(other)}, not a bool", 0),
                    });
                }

                return result;
            case PickleReduce reduce:
                return NumpyArrays.ToBools(reduce);
            default:
                throw new PickleException($"Expected issame_list to be a list of bools but it is {Describe(value)}", 0);
        }
    }

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        byte[] b => $"bytes[{b.Length}]",
        string => "a str",
        bool => "a bool",
        long => "an int",
        double => "a float",
        List<object?> l => $"a list of {l.Count}",
        PickleTuple t => $"a tuple of {t.Items.Count}",
        PickleReduce r => $"an object made by {r.Callable}",
        PickleGlobal g => $"the global {g}",
        _ => value.GetType().Name,
    };

    // The subset of CPython's C pickler (protocol 4) that (list of bytes, list of bools) needs, with its framing.
    private sealed class FramedPickler(Stream output)
    {
        private const int FrameSizeTarget = 64 * 1024;
        private const int FrameSizeMin = 4;
        private const int BatchSize = 1000;
        private readonly MemoryStream _frame = new();

        public void Begin()
        {
            output.Write([0x80, 4]); // PROTO 4, written before framing starts
        }

        public void End()
        {
            _frame.WriteByte(0x2E); // STOP
            CommitFrame(force: true);
        }

        public void List(int count, Action<int> save)
        {
            _frame.WriteByte(0x5D); // EMPTY_LIST
            Memoize();
            if (count == 1)
            {
                save(0);
                OpcodeBoundary();
                _frame.WriteByte(0x61); // APPEND
                return;
            }

            var total = 0;
            while (total < count)
            {
                _frame.WriteByte(0x28); // MARK
                var batch = 0;
                while (total < count && batch < BatchSize)
                {
                    save(total++);
                    OpcodeBoundary();
                    batch++;
                }

                _frame.WriteByte(0x65); // APPENDS
            }
        }

        public void Bytes(byte[] data)
        {
            Span<byte> head = stackalloc byte[9];
            int headLength;
            if (data.Length <= 0xFF)
            {
                head[0] = 0x43; // SHORT_BINBYTES
                head[1] = (byte)data.Length;
                headLength = 2;
            }
            else
            {
                head[0] = 0x42; // BINBYTES
                BinaryPrimitives.WriteUInt32LittleEndian(head[1..], (uint)data.Length);
                headLength = 5;
            }

            if (data.Length >= FrameSizeTarget)
            {
                // Large payloads go outside any frame, header included, as CPython's _Pickler_write_bytes does.
                CommitFrame(force: true);
                output.Write(head[..headLength]);
                output.Write(data);
            }
            else
            {
                _frame.Write(head[..headLength]);
                _frame.Write(data);
            }

            Memoize();
        }

        public void Bool(bool value) => _frame.WriteByte(value ? (byte)0x88 : (byte)0x89); // NEWTRUE / NEWFALSE

        public void Tuple2()
        {
            _frame.WriteByte(0x86); // TUPLE2
            Memoize();
            OpcodeBoundary();
        }

        private void Memoize() => _frame.WriteByte(0x94);

        private void OpcodeBoundary()
        {
            if (_frame.Length >= FrameSizeTarget)
            {
                CommitFrame(force: true);
            }
        }

        private void CommitFrame(bool force)
        {
            if (!force || _frame.Length == 0)
            {
                return;
            }

            if (_frame.Length >= FrameSizeMin)
            {
                Span<byte> head = stackalloc byte[9];
                head[0] = 0x95; // FRAME
                BinaryPrimitives.WriteUInt64LittleEndian(head[1..], (ulong)_frame.Length);
                output.Write(head);
            }

            _frame.Position = 0;
            _frame.CopyTo(output);
            _frame.SetLength(0);
        }
    }
}
