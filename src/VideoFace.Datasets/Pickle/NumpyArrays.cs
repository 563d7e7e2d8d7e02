namespace VideoFace.Datasets.Pickle;

/// <summary>Decodes the one numpy shape some verification files use for issame: a 1-D bool or integer ndarray.</summary>
internal static class NumpyArrays
{
    public static List<bool> ToBools(PickleReduce array)
    {
        var (raw, dtype, shape) = array.Callable.Name switch
        {
            // ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b') + BUILD (version, shape, dtype, is_fortran, raw bytes)
            "_reconstruct" when array.State is PickleTuple { Items.Count: 5 } s => (s.Items[4], s.Items[2], s.Items[1]),
            // ndarray.__reduce_ex__(5): _frombuffer(buffer, dtype, shape, order)
            "_frombuffer" when array.Arguments.Items.Count == 4 => (array.Arguments.Items[0], array.Arguments.Items[1], array.Arguments.Items[2]),
            _ => throw Unsupported($"an object made by {array.Callable}"),
        };

        if (shape is not PickleTuple { Items.Count: 1 } dims || dims.Items[0] is not long count)
        {
            throw Unsupported("a numpy array that is not one-dimensional");
        }

        if (raw is not byte[] bytes)
        {
            throw Unsupported($"a numpy array whose data is {VerificationBin.Describe(raw)} (object arrays are not read)");
        }

        var code = DType(dtype);
        var size = code switch
        {
            "b1" or "?" or "u1" or "i1" => 1,
            "u2" or "i2" => 2,
            "u4" or "i4" => 4,
            "u8" or "i8" => 8,
            _ => throw Unsupported($"a numpy array of dtype '{code}'"),
        };

        if (bytes.LongLength != count * size)
        {
            throw Unsupported($"a numpy array of {count} × {size} bytes with {bytes.Length} data bytes");
        }

        var result = new List<bool>((int)count);
        for (var i = 0; i < count; i++)
        {
            // Only zero versus non-zero matters, so byte order is irrelevant.
            var any = false;
            for (var k = 0; k < size; k++)
            {
                any |= bytes[(i * size) + k] != 0;
            }

            result.Add(any);
        }

        return result;
    }

    private static string DType(object? dtype)
    {
        if (dtype is PickleReduce { Callable.Name: "dtype", Arguments.Items: [string code, ..] })
        {
            return code;
        }

        throw Unsupported($"a numpy dtype given as {VerificationBin.Describe(dtype)}");
    }

    private static PickleException Unsupported(string what) =>
        new($"issame_list is {what}; only a list of bools or a 1-D numpy bool/integer array is read", 0);
}
