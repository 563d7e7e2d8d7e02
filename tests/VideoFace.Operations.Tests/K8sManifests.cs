using YamlDotNet.RepresentationModel;

namespace VideoFace.Operations.Tests;

/// <summary>deploy/k8s/*.yaml read with a YAML parser: every document, and the environment a workload's pods get.</summary>
public sealed class K8sManifests
{
    private K8sManifests(IReadOnlyList<(string File, YamlMappingNode Doc)> documents) => Documents = documents;

    public static string Folder => Path.Combine(RepoPaths.Root, "deploy", "k8s");

    public IReadOnlyList<(string File, YamlMappingNode Doc)> Documents { get; }

    public static K8sManifests Load()
    {
        var docs = new List<(string, YamlMappingNode)>();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            foreach (var d in stream.Documents)
                docs.Add((Path.GetFileName(file), d.RootNode as YamlMappingNode ?? throw new InvalidDataException($"{file}: a document is not a mapping")));
        }
        return new K8sManifests(docs);
    }

    public YamlMappingNode Single(string kind, string name) =>
        Documents.Single(d => Str(d.Doc, "kind") == kind && Str(Map(d.Doc, "metadata"), "name") == name).Doc;

    public IEnumerable<YamlMappingNode> OfKind(params string[] kinds) => Documents.Where(d => kinds.Contains(Str(d.Doc, "kind"))).Select(d => d.Doc);

    /// <summary>The pod template's first container of a Deployment or StatefulSet.</summary>
    public static YamlMappingNode Container(YamlMappingNode workload) =>
        (YamlMappingNode)Seq(Map(Map(Map(workload, "spec"), "template"), "spec"), "containers").Children[0];

    /// <summary>
    /// The environment Kubernetes gives the container: its envFrom ConfigMaps, then its env entries (a literal value, a
    /// fieldRef metadata.name → <paramref name="podName"/>, a secretKeyRef → <paramref name="secret"/>(name, key)).
    /// </summary>
    public Dictionary<string, string> Environment(YamlMappingNode workload, string podName, Func<string, string, string> secret)
    {
        var container = Container(workload);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (container.Children.ContainsKey("envFrom"))
            foreach (YamlMappingNode from in Seq(container, "envFrom"))
            {
                var config = Single("ConfigMap", Str(Map(from, "configMapRef"), "name")!);
                foreach (var (k, v) in Map(config, "data").Children) env[((YamlScalarNode)k).Value!] = ((YamlScalarNode)v).Value ?? "";
            }
        foreach (YamlMappingNode e in Seq(container, "env"))
        {
            var name = Str(e, "name")!;
            if (e.Children.ContainsKey("value"))
            {
                env[name] = Str(e, "value") ?? "";
                continue;
            }
            var from = Map(e, "valueFrom");
            if (from.Children.ContainsKey("fieldRef"))
            {
                var path = Str(Map(from, "fieldRef"), "fieldPath");
                env[name] = path == "metadata.name" ? podName : throw new NotSupportedException($"fieldRef {path}");
            }
            else
            {
                var s = Map(from, "secretKeyRef");
                env[name] = secret(Str(s, "name")!, Str(s, "key")!);
            }
        }
        return env;
    }

    public static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var v) && v is YamlMappingNode m ? m : throw new KeyNotFoundException($"no mapping '{key}'");

    public static YamlSequenceNode Seq(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var v) && v is YamlSequenceNode s ? s : throw new KeyNotFoundException($"no sequence '{key}'");

    public static string? Str(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var v) && v is YamlScalarNode s ? s.Value : null;
}
