using System.Buffers.Binary;
using System.Text;

namespace VideoFace.Vision.Onnx;

/// <summary>
/// Rewrites an ONNX model exported with a static batch of 1 so that it takes any batch size: the first
/// dimension of every graph input and output becomes symbolic, stale intermediate shapes are dropped,
/// and Reshape targets that hard-code the batch as 1 copy it from their input instead (ONNX: 0 = copy).
/// </summary>
public static class OnnxGraphRewriter
{
    // ONNX field numbers (onnx.proto).
    private const int ModelGraph = 7;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttrName = 1, AttrTensor = 5;
    private const int TensorDataType = 2, TensorInt64Data = 7, TensorName = 8, TensorRawData = 9;
    private const int ValueInfoName = 1, ValueInfoType = 2, TypeTensor = 1, TensorTypeShape = 2, ShapeDim = 1;
    private const int DimValue = 1, DimParam = 2;
    private const int Int64Type = 7;

    /// <summary>Name given to the symbolic batch dimension.</summary>
    public const string BatchDimension = "batch";

    /// <summary>Returns the rewritten model bytes. Throws <see cref="FormatException"/> when the bytes are not an ONNX model.</summary>
    public static byte[] MakeBatchDynamic(byte[] model)
    {
        var root = ProtoMessage.Parse(model);
        var graph = root.First(ModelGraph)?.Message ?? throw new FormatException("no graph in the model");
        if (!graph.All(GraphNode).Any()) throw new FormatException("the graph has no nodes");

        var initializers = graph.All(GraphInitializer).ToDictionary(f => f.Message.String(TensorName) ?? "", f => f.Message);
        foreach (var io in graph.All(GraphInput).Concat(graph.All(GraphOutput)))
        {
            if (initializers.ContainsKey(io.Message.String(ValueInfoName) ?? "")) continue;
            MakeFirstDimSymbolic(io.Message);
        }
        graph.Fields.RemoveAll(f => f.Number == GraphValueInfo);

        var constants = new Dictionary<string, ProtoMessage>(initializers);
        foreach (var node in graph.All(GraphNode).Select(f => f.Message))
        {
            if (node.String(NodeOpType) != "Constant") continue;
            var value = node.All(NodeAttribute).Select(a => a.Message).FirstOrDefault(a => a.String(AttrName) == "value");
            var output = node.String(NodeOutput);
            if (value?.First(AttrTensor) is { } t && output is not null) constants[output] = t.Message;
        }
        foreach (var node in graph.All(GraphNode).Select(f => f.Message))
        {
            if (node.String(NodeOpType) != "Reshape") continue;
            var shapeName = node.All(NodeInput).Skip(1).Select(f => Encoding.UTF8.GetString(f.Bytes.Span)).FirstOrDefault();
            if (shapeName is not null && constants.TryGetValue(shapeName, out var tensor)) ZeroLeadingOne(tensor);
        }
        return root.ToBytes();
    }

    /// <summary>True when one of the graph's first 8 nodes is named Sub… or Mul… (the model normalises its own input), as InsightFace checks.</summary>
    public static bool StartsWithNormalization(byte[] model)
    {
        var graph = ProtoMessage.Parse(model).First(ModelGraph)?.Message ?? throw new FormatException("no graph in the model");
        return graph.All(GraphNode).Take(8).Select(n => n.Message.String(NodeName) ?? "")
            .Any(name => name.StartsWith("Sub", StringComparison.Ordinal) || name.StartsWith("_minus", StringComparison.Ordinal)
                         || name.StartsWith("Mul", StringComparison.Ordinal) || name.StartsWith("_mul", StringComparison.Ordinal));
    }

    private static void MakeFirstDimSymbolic(ProtoMessage valueInfo)
    {
        var shape = valueInfo.First(ValueInfoType)?.Message.First(TypeTensor)?.Message.First(TensorTypeShape)?.Message;
        var dim = shape?.First(ShapeDim);
        if (dim is null) return;
        var d = dim.Message;
        d.Fields.RemoveAll(f => f.Number is DimValue or DimParam);
        d.Fields.Insert(0, new ProtoField(DimParam, 2) { Bytes = Encoding.UTF8.GetBytes(BatchDimension) });
    }

    /// <summary>Turns an int64 shape tensor [1, ...] into [0, ...]; leaves any other tensor alone.</summary>
    private static void ZeroLeadingOne(ProtoMessage tensor)
    {
        if (tensor.First(TensorDataType)?.Varint != Int64Type) return;
        if (tensor.First(TensorRawData) is { } raw && raw.Bytes.Length >= 8)
        {
            if (ProtoMessage.ReadInt64LittleEndian(raw.Bytes.Span) != 1) return;
            var copy = raw.Bytes.ToArray();
            BinaryPrimitives.WriteInt64LittleEndian(copy, 0);
            raw.Bytes = copy;
            return;
        }
        var data = tensor.All(TensorInt64Data).ToList();
        if (data.Count == 0) return;
        if (data[0].WireType == 0)
        {
            if (data[0].Varint == 1) data[0].Varint = 0;
            return;
        }
        // packed repeated int64
        var span = data[0].Bytes.Span;
        int pos = 0;
        if (ProtoMessage.ReadVarint(span, ref pos) != 1) return;
        var packed = new MemoryStream();
        ProtoMessage.WriteVarint(packed, 0);
        packed.Write(span[pos..]);
        data[0].Bytes = packed.ToArray();
    }
}
