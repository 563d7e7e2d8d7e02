using System.Buffers.Binary;
using System.Text;

namespace VideoFace.Datasets.Pickle;

/// <summary>A pickle stream that this reader does not support or that is damaged; names the opcode and byte offset.</summary>
public sealed class PickleException(string message, long offset) : IOException($"{message} (at byte offset {offset})")
{
    /// <summary>Byte offset in the pickle where the problem was found.</summary>
    public long Offset { get; } = offset;
}

/// <summary>A Python tuple as unpickled.</summary>
public sealed record PickleTuple(IReadOnlyList<object?> Items);

/// <summary>A reference to a Python global (<c>module.name</c>), kept only so known numpy objects can be recognised.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>The result of REDUCE (a call of a global with arguments), plus the state BUILD gave it.</summary>
public sealed class PickleReduce(PickleGlobal callable, PickleTuple arguments)
{
    /// <summary>What was called.</summary>
    public PickleGlobal Callable { get; } = callable;

    /// <summary>Its arguments.</summary>
    public PickleTuple Arguments { get; } = arguments;

    /// <summary>State set by BUILD, if any.</summary>
    public object? State { get; set; }
}

/// <summary>A small pickle reader (a stack machine over a subset of opcodes, protocols 0–5 binary forms) for InsightFace data files.</summary>
/// <remarks>
/// Python values map to: bytes and Python 2 str → <c>byte[]</c>; str → <c>string</c>; bool; int → <c>long</c>;
/// float → <c>double</c>; None → null; list → <c>List&lt;object?&gt;</c>; tuple → <see cref="PickleTuple"/>.
/// Globals are only accepted from numpy (so ndarray/dtype reductions can be recognised by the caller); arbitrary
/// objects, dicts and the text protocol 0 are refused with the opcode and offset named, never executed.
/// </remarks>
public sealed class Unpickler
{
    private static readonly object Mark = new();

    private readonly byte[] _data;
    private readonly List<object?> _stack = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    private Unpickler(byte[] data) => _data = data;

    /// <summary>Unpickles one object from <paramref name="data"/>.</summary>
    public static object? Load(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Unpickler(data).Run();
    }

    private object? Run()
    {
        while (true)
        {
            var at = _pos;
            var op = ReadByte("opcode");
            switch (op)
            {
                case 0x80: // PROTO
                    var proto = ReadByte("protocol");
                    if (proto > 5)
                    {
                        throw new PickleException($"Pickle protocol {proto} is newer than the supported 0–5", at);
                    }

                    break;
                case 0x95: // FRAME: a length prefix only; the opcodes inside are read as usual
                    var frame = ReadUInt64("FRAME length");
                    if (frame > (ulong)(_data.Length - _pos))
                    {
                        throw new PickleException($"FRAME of {frame} bytes runs past the end of the data (truncated file?)", at);
                    }

                    break;
                case 0x2E: // STOP
                    var result = Pop(at);
                    if (_stack.Count != 0)
                    {
                        throw new PickleException($"STOP with {_stack.Count} value(s) left on the stack", at);
                    }

                    return result;
                case 0x28: Push(Mark); break; // MARK
                case 0x30: Pop(at); break; // POP
                case 0x31: PopMark(at); break; // POP_MARK
                case 0x4E: Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case 0x4B: Push((long)ReadByte("BININT1")); break;
                case 0x4D: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2, "BININT2"))); break;
                case 0x4A: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4, "BININT"))); break;
                case 0x8A: Push(ReadLong1(at)); break; // LONG1
                case 0x47: Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8, "BINFLOAT"))); break;
                case 0x43: Push(Take(ReadByte("SHORT_BINBYTES length"), "SHORT_BINBYTES").ToArray()); break;
                case 0x42: Push(Take(ReadUInt32("BINBYTES length"), "BINBYTES").ToArray()); break;
                case 0x8E: Push(Take(ReadUInt64("BINBYTES8 length"), "BINBYTES8").ToArray()); break;
                case 0x96: Push(Take(ReadUInt64("BYTEARRAY8 length"), "BYTEARRAY8").ToArray()); break;
                case 0x55: Push(Take(ReadByte("SHORT_BINSTRING length"), "SHORT_BINSTRING").ToArray()); break; // Python 2 str
                case 0x54: // BINSTRING (Python 2 str): signed 32-bit length
                    var n = BinaryPrimitives.ReadInt32LittleEndian(Take(4, "BINSTRING length"));
                    if (n < 0)
                    {
                        throw new PickleException("BINSTRING with a negative length", at);
                    }

                    Push(Take((ulong)n, "BINSTRING").ToArray());
                    break;
                case 0x8C: Push(Utf8(Take(ReadByte("SHORT_BINUNICODE length"), "SHORT_BINUNICODE"), at)); break;
                case 0x58: Push(Utf8(Take(ReadUInt32("BINUNICODE length"), "BINUNICODE"), at)); break;
                case 0x8D: Push(Utf8(Take(ReadUInt64("BINUNICODE8 length"), "BINUNICODE8"), at)); break;
                case 0x5D: Push(new List<object?>()); break; // EMPTY_LIST
                case 0x29: Push(new PickleTuple([])); break; // EMPTY_TUPLE
                case 0x6C: Push(new List<object?>(PopMark(at))); break; // LIST
                case 0x74: Push(new PickleTuple(PopMark(at))); break; // TUPLE
                case 0x85: Push(new PickleTuple([Pop(at)])); break; // TUPLE1
                case 0x86: // TUPLE2
                    var b2 = Pop(at);
                    var a2 = Pop(at);
                    Push(new PickleTuple([a2, b2]));
                    break;
                case 0x87: // TUPLE3
                    var c3 = Pop(at);
                    var b3 = Pop(at);
                    var a3 = Pop(at);
                    Push(new PickleTuple([a3, b3, c3]));
                    break;
                case 0x61: // APPEND
                    var item = Pop(at);
                    ListOnTop(at, "APPEND").Add(item);
                    break;
                case 0x65: // APPENDS
                    var items = PopMark(at);
                    ListOnTop(at, "APPENDS").AddRange(items);
                    break;
                case 0x71: _memo[ReadByte("BINPUT index")] = Peek(at); break;
                case 0x72: _memo[ReadUInt32("LONG_BINPUT index")] = Peek(at); break;
                case 0x94: _memo[_memo.Count] = Peek(at); break; // MEMOIZE
                case 0x68: Push(MemoGet(ReadByte("BINGET index"), at)); break;
                case 0x6A: Push(MemoGet(ReadUInt32("LONG_BINGET index"), at)); break;
                case 0x63: // GLOBAL "module\nname\n"
                    Push(Global(ReadLine(at), ReadLine(at), at));
                    break;
                case 0x93: // STACK_GLOBAL
                    var name = Pop(at) as string;
                    var module = Pop(at) as string;
                    if (name is null || module is null)
                    {
                        throw new PickleException("STACK_GLOBAL needs two strings on the stack", at);
                    }

                    Push(Global(module, name, at));
                    break;
                case 0x52: // REDUCE
                    var args = Pop(at) as PickleTuple ?? throw new PickleException("REDUCE arguments are not a tuple", at);
                    var callable = Pop(at) as PickleGlobal ?? throw new PickleException("REDUCE of something that is not a global", at);
                    Push(Reduce(callable, args, at));
                    break;
                case 0x62: // BUILD
                    var state = Pop(at);
                    var target = Peek(at) as PickleReduce ?? throw new PickleException("BUILD on something that is not a reduced object", at);
                    target.State = state;
                    break;
                default:
                    throw new PickleException($"Unsupported pickle opcode 0x{op:x2} ({OpcodeName(op)})", at);
            }
        }
    }

    // Python 3 pickles bytes in protocols < 3 as _codecs.encode(text, 'latin1'), and b'' as bytes().
    private static object Reduce(PickleGlobal callable, PickleTuple args, int at) => callable switch
    {
        { Module: "_codecs", Name: "encode" } when args.Items is [string text, "latin1" or "latin-1"] => Encoding.Latin1.GetBytes(text),
        { Module: "builtins" or "__builtin__", Name: "bytes" } when args.Items.Count == 0 => Array.Empty<byte>(),
        { Module: "_codecs" or "builtins" or "__builtin__" } => throw new PickleException($"Unsupported call {callable} with {args.Items.Count} argument(s)", at),
        _ => new PickleReduce(callable, args),
    };

    private static PickleGlobal Global(string module, string name, int at)
    {
        // Refuse everything but numpy and the bytes constructors: this reader never builds arbitrary objects.
        var bytesMaker = (module, name) is ("_codecs", "encode") or ("builtins", "bytes") or ("__builtin__", "bytes");
        if (!bytesMaker && module != "numpy" && !module.StartsWith("numpy.", StringComparison.Ordinal))
        {
            throw new PickleException($"Unsupported pickle global '{module}.{name}': only lists of bytes and bools (and simple numpy arrays) are read", at);
        }

        return new PickleGlobal(module, name);
    }

    private static string OpcodeName(byte op) => op switch
    {
        0x7D => "EMPTY_DICT",
        0x64 => "DICT",
        0x73 => "SETITEM",
        0x75 => "SETITEMS",
        0x8F => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        0x81 => "NEWOBJ",
        0x92 => "NEWOBJ_EX",
        0x69 => "INST",
        0x6F => "OBJ",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        0x50 => "PERSID",
        0x51 => "BINPERSID",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        0x49 => "INT (text protocol 0)",
        0x4C => "LONG (text protocol 0)",
        0x53 => "STRING (text protocol 0)",
        0x56 => "UNICODE (text protocol 0)",
        0x46 => "FLOAT (text protocol 0)",
        0x70 => "PUT (text protocol 0)",
        0x67 => "GET (text protocol 0)",
        0x8B => "LONG4",
        0x32 => "DUP",
        _ => "unknown",
    };

    private object? MemoGet(long index, int at) =>
        _memo.TryGetValue(index, out var value) ? value : throw new PickleException($"Memo entry {index} was never stored", at);

    private List<object?> ListOnTop(int at, string op) =>
        Peek(at) as List<object?> ?? throw new PickleException($"{op} on something that is not a list", at);

    private void Push(object? value) => _stack.Add(value);

    private object? Peek(int at)
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark))
        {
            throw new PickleException("Stack underflow", at);
        }

        return _stack[^1];
    }

    private object? Pop(int at)
    {
        var value = Peek(at);
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMark(int at)
    {
        var mark = _stack.FindLastIndex(v => ReferenceEquals(v, Mark));
        if (mark < 0)
        {
            throw new PickleException("No MARK on the stack", at);
        }

        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private long ReadLong1(int at)
    {
        var n = ReadByte("LONG1 length");
        if (n > 8)
        {
            throw new PickleException($"LONG1 of {n} bytes does not fit a 64-bit integer", at);
        }

        var bytes = Take(n, "LONG1");
        long value = 0;
        for (var i = n - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0)
        {
            value -= 1L << (8 * n); // two's complement sign
        }

        return value;
    }

    private string ReadLine(int at)
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0)
        {
            throw new PickleException("GLOBAL without a newline-terminated name", at);
        }

        var text = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return text;
    }

    private static string Utf8(ReadOnlySpan<byte> bytes, int at)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new PickleException("A string is not valid UTF-8", at);
        }
    }

    private byte ReadByte(string what) => Take(1, what)[0];

    private uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    private ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

    private ReadOnlySpan<byte> Take(ulong count, string what)
    {
        if (count > (ulong)(_data.Length - _pos))
        {
            throw new PickleException(
                _pos >= _data.Length ? $"Data ends while reading {what} (no STOP opcode: truncated file?)" : $"{what} needs {count} bytes but only {_data.Length - _pos} remain (truncated file?)",
                _pos);
        }

        var span = _data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }
}
