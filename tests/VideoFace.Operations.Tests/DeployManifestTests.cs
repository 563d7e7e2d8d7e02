using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using VideoFace.Cluster.Tests.Support;
using VideoFace.Hosting;
using YamlDotNet.RepresentationModel;
using static VideoFace.Operations.Tests.K8sManifests;

namespace VideoFace.Operations.Tests;

/// <summary>
/// deploy/k8s checked structurally, and its cluster run as the manifests configure it: the silo StatefulSet's two pods
/// and the API Deployment's pod as local processes with exactly the manifests' environment (ConfigMap, literal values,
/// pod names, secrets filled with Azurite's connection string and a test key), against Azurite. What differs from a
/// real cluster, and why: ports (three processes on one host), loopback instead of 0.0.0.0, the models folder (the
/// image's ENV), and no Qdrant (none can run here; its two keys are left out).
/// </summary>
public sealed class DeployManifestTests
{
    private const string ApiKey = "deploy-test-key";

    [Fact]
    public void Manifests_WorkloadsServicesConfigAndSecretsFitTogether()
    {
        var m = Load();
        Assert.NotEmpty(m.Documents);
        foreach (var (file, doc) in m.Documents)
        {
            Assert.False(string.IsNullOrEmpty(Str(doc, "apiVersion")), $"{file}: apiVersion");
            Assert.False(string.IsNullOrEmpty(Str(doc, "kind")), $"{file}: kind");
            Assert.False(string.IsNullOrEmpty(Str(Map(doc, "metadata"), "name")), $"{file}: metadata.name");
        }
        var workloads = m.OfKind("Deployment", "StatefulSet").ToList();
        Assert.Equal(2, workloads.Count);
        var hostKeys = typeof(VideoFaceHostOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var w in workloads)
        {
            var name = Str(Map(w, "metadata"), "name");
            var selector = Map(Map(w, "spec"), "selector");
            var labels = Map(Map(Map(Map(w, "spec"), "template"), "metadata"), "labels");
            foreach (var (k, v) in Map(selector, "matchLabels").Children)
                Assert.True(labels.Children.TryGetValue(k, out var l) && l.ToString() == v.ToString(), $"{name}: selector {k} not on the pod template");
            var c = Container(w);
            Assert.False(string.IsNullOrEmpty(Str(c, "image")), $"{name}: image");
            var ports = Seq(c, "ports").Cast<YamlMappingNode>().Select(p => Str(p, "name")).ToHashSet();
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                var get = Map(Map(c, probe), "httpGet");
                Assert.Contains(Str(get, "port"), ports);
                Assert.StartsWith("/health/", Str(get, "path"));
            }
            // every setting names a real key: VideoFace__X must be a property of VideoFaceHostOptions (or a known sub-section)
            var env = m.Environment(w, "pod-0", (secret, key) =>
            {
                var s = m.Single("Secret", secret);
                Assert.True(Map(s, "stringData").Children.ContainsKey(key), $"{name}: secret {secret} has no key {key}");
                return "x";
            });
            foreach (var key in env.Keys.Where(k => k.StartsWith("VideoFace__", StringComparison.Ordinal)))
            {
                var first = key.Split("__")[1];
                Assert.True(hostKeys.Contains(first) || first is "Blobs" or "Qdrant" or "Index" or "Telemetry", $"{name}: unknown setting {key}");
            }
            Assert.Equal("Cluster", env["VideoFace__Profile"]);
        }
        foreach (var service in m.OfKind("Service"))
        {
            var selector = Map(Map(service, "spec"), "selector");
            Assert.Contains(workloads, w => selector.Children.All(s =>
                Map(Map(Map(w, "spec"), "template"), "metadata") is var meta && Map(meta, "labels").Children.TryGetValue(s.Key, out var v) && v.ToString() == s.Value.ToString()));
        }
    }

    [Fact]
    public async Task ClusterProfile_AsTheManifestsConfigureIt_TwoSilosAndApiServe()
    {
        Assert.True(Azurite.IsInstalled, "scripts/setup.sh installs Azurite");
        var folder = TestVideos.TempFolder("ops-deploy");
        await using var azurite = await Azurite.StartAsync(Path.Combine(folder, "azurite"));
        var m = Load();
        var silos = m.Single("StatefulSet", "videoface-silo");
        var api = m.Single("Deployment", "videoface-api");
        var replicas = int.Parse(Str(Map(silos, "spec"), "replicas")!, CultureInfo.InvariantCulture);
        Assert.Equal(2, replicas);

        var pods = Enumerable.Range(0, replicas).Select(i => (Workload: silos, Name: $"videoface-silo-{i}"))
            .Append((Workload: api, Name: "videoface-api-0")).ToList();
        var processes = new List<ChildProcess>();
        var urls = new List<Uri>();
        try
        {
            foreach (var (workload, pod) in pods)
            {
                var env = m.Environment(workload, pod, (_, key) => key switch
                {
                    "azure-storage" => azurite.ConnectionString,
                    "api-key" => ApiKey,
                    _ => throw new KeyNotFoundException(key),
                }).ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
                foreach (var qdrant in env.Keys.Where(k => k.StartsWith("VideoFace__Qdrant__", StringComparison.Ordinal)).ToList()) env.Remove(qdrant);
                var p = Ports.Free(3);
                env["VideoFace__SiloPort"] = p[0].ToString(CultureInfo.InvariantCulture);
                env["VideoFace__GatewayPort"] = p[1].ToString(CultureInfo.InvariantCulture);
                env["VideoFace__HttpPort"] = p[2].ToString(CultureInfo.InvariantCulture);
                env["VideoFace__HttpHost"] = "127.0.0.1";
                env["VideoFace__DataDirectory"] = Path.Combine(folder, pod);
                env["Vision__ModelsDirectory"] = TestData.Models;
                env["Vision__IntraOpThreads"] = "1";
                processes.Add(new ChildProcess(pod, "dotnet", [SiloProcess.Dll], folder, env));
                urls.Add(new Uri($"http://127.0.0.1:{p[2]}"));
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
            var apiUrl = urls[^1];
            string Tails() => string.Join('\n', processes.Select(p => p.Tail(15)));

            // every pod ready, the API pod seeing all three silos active
            await Poll.UntilAsync(() => urls.All(u => Ready(http, u, out _)) && Ready(http, apiUrl, out var body)
                                        && body.GetProperty("checks").GetProperty("silo").GetProperty("data").GetProperty("active_silos").GetInt32() == 3,
                TimeSpan.FromSeconds(150), $"three silos ready\n{Tails()}", TimeSpan.FromSeconds(1));

            // the API-only pod serves: lists cameras, and enrols a person through an inference grain on a device pod
            using (var cameras = await http.GetAsync(new Uri(apiUrl, "/api/cameras")))
                Assert.Equal(HttpStatusCode.OK, cameras.StatusCode);
            using var form = new MultipartFormDataContent { { new StringContent("Tony Blair"), "name" } };
            var photo = new ByteArrayContent(await File.ReadAllBytesAsync(TestData.Face("Tony_Blair", 6)));
            photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(photo, "photos", "tony.jpg");
            using var enrol = await http.PostAsync(new Uri(apiUrl, "/api/persons"), form);
            Assert.True(enrol.IsSuccessStatusCode, $"{(int)enrol.StatusCode} {await enrol.Content.ReadAsStringAsync()}\n{Tails()}");
            using var metrics = await http.GetAsync(new Uri(apiUrl, "/metrics"));
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            // the manifests ask for JSON logs: every pod's output is JSON lines
            Assert.All(processes, p => Assert.All(p.Output.Where(l => l.Length > 0), l => JsonDocument.Parse(l).Dispose()));
        }
        finally
        {
            foreach (var p in processes) await p.DisposeAsync();
        }
    }

    private static bool Ready(HttpClient http, Uri baseUrl, out JsonElement body)
    {
        body = default;
        try
        {
            using var r = http.GetAsync(new Uri(baseUrl, "/health/ready")).GetAwaiter().GetResult();
            if (r.StatusCode != HttpStatusCode.OK) return false;
            using var doc = JsonDocument.Parse(r.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            body = doc.RootElement.Clone();
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
