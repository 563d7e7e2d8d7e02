using System.CommandLine;
using VideoFace.Hosting;

namespace VideoFace.Cli.Commands;

/// <summary>`up`: the embedded silo (one machine, SQLite state, local blobs) with its HTTP API, in the foreground.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var httpPort = new Option<int>("--http-port") { Description = "HTTP API port", DefaultValueFactory = _ => 8080 };
        var devices = new Option<string>("--devices") { Description = "Inference devices: cpu, gpu:0, gpu:0,gpu:1", DefaultValueFactory = _ => "cpu" };
        var siloPort = new Option<int>("--silo-port") { Description = "Orleans silo port", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Orleans gateway port", DefaultValueFactory = _ => 30000 };
        var sample = new Option<bool>("--sample") { Description = "On a fresh data folder: add a sample camera (../shared/data's clip with a few enrolled people when present, else the face-api group-photo video scripts/make-sample.sh makes)" };
        var cmd = new Command("up", "Start the embedded VideoFace silo with its HTTP API (Ctrl+C stops it)") { httpPort, devices, siloPort, gatewayPort, sample };
        cmd.SetAction(async (pr, ct) =>
        {
            var data = GlobalOptions.DataDirectory(pr);
            var vision = GlobalOptions.Vision(pr);
            var overrides = new Dictionary<string, string?>
            {
                ["VideoFace:Profile"] = "Embedded",
                ["VideoFace:DataDirectory"] = data,
                ["VideoFace:HttpPort"] = pr.GetValue(httpPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["VideoFace:SiloPort"] = pr.GetValue(siloPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["VideoFace:GatewayPort"] = pr.GetValue(gatewayPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["VideoFace:Devices"] = pr.GetValue(devices),
                // --verbose also shows Orleans', Polly's and ASP.NET Core's own lines (Warning and above otherwise)
                ["VideoFace:Verbose"] = pr.GetValue(GlobalOptions.Verbose).ToString(),
                ["Vision:ModelsDirectory"] = vision.ModelsDirectory,
                ["Vision:InsightFacePack"] = vision.InsightFacePack,
                ["Vision:DetectorModel"] = vision.DetectorModel,
                ["Vision:FlipAugment"] = vision.FlipAugment.ToString(),
            };
            if (pr.GetValue(sample))
            {
                // the sample videos may be cameras (only local files under VideoFace:Security:MediaFolders may); high
                // indexes keep any media folders configured elsewhere
                overrides["VideoFace:Security:MediaFolders:90"] = Path.GetFullPath(Path.Combine(DemoCommand.RepoRoot(), "..", "shared", "data", "video"));
                overrides["VideoFace:Security:MediaFolders:91"] = Path.Combine(DemoCommand.RepoRoot(), "artifacts", "sample");
            }
            await using var app = VideoFaceHost.Build([], overrides);
            await app.StartAsync(ct);
            var url = $"http://127.0.0.1:{pr.GetValue(httpPort)}";
            Console.WriteLine($"VideoFace is up: HTTP API {url} (OpenAPI {url}/openapi/v1.json), data in {data}");
            // the key goes into the dashboard link only on a terminal: redirected output ends up in log files
            Console.WriteLine(ServerClient.KeyOf(pr) is { } dashboardKey && !Console.IsOutputRedirected
                ? $"Dashboard: {url}/#key={Uri.EscapeDataString(dashboardKey)}"
                : $"Dashboard: {url}/ (the API key is in {Path.Combine(data, "api-key")})");
            foreach (var line in PointCliAt(data, pr.GetValue(httpPort))) Console.WriteLine(line);
            Console.WriteLine("Try: ./videoface camera add cam1 <rtsp-url-or-video>, ./videoface person add NAME photo.jpg, ./videoface events --follow");
            if (pr.GetValue(sample)) await AddSampleAsync(url, ServerClient.KeyOf(pr), ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            Console.WriteLine("stopping…");
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// When another terminal's CLI would not find this server by itself (data folder or port not the default): the exact
    /// lines that point it here.
    /// </summary>
    internal static IReadOnlyList<string> PointCliAt(string data, int httpPort)
    {
        var lines = new List<string>();
        var full = Path.GetFullPath(data);
        var dataIsDefault = string.Equals(full.TrimEnd('/'), Path.GetFullPath(GlobalOptions.DefaultDataDirectory()).TrimEnd('/'), StringComparison.Ordinal);
        if (!dataIsDefault || httpPort != 8080) lines.Add("Other terminals find this server with:");
        if (!dataIsDefault)
        {
            lines.Add($"  export VIDEOFACE_DATA='{full.Replace("'", "'\\''", StringComparison.Ordinal)}'");
            lines.Add($"  (or pass --api-key \"$(cat '{Path.Combine(full, "api-key").Replace("'", "'\\''", StringComparison.Ordinal)}')\")");
        }
        if (httpPort != 8080) lines.Add($"  export VIDEOFACE_SERVER=http://127.0.0.1:{httpPort}");
        return lines;
    }

    /// <summary>Enrols the demo people and adds the sample camera (the Hamilton clip, played like a live camera).</summary>
    private static async Task AddSampleAsync(string url, string? apiKey, CancellationToken ct)
    {
        using var server = new ServerClient(url, apiKey);
        var cameras = await server.GetAsync("api/cameras", ct);
        if (cameras.GetArrayLength() > 0)
        {
            Console.WriteLine("sample: cameras already registered, nothing added");
            return;
        }
        var shared = Path.GetFullPath(Path.Combine(DemoCommand.RepoRoot(), "..", "shared", "data"));
        var faces = Path.Combine(shared, "faces-dev");
        var clip = Path.Combine(shared, "video", "ageitgey-short_hamilton_clip.mp4");
        if (!Directory.Exists(faces) || !File.Exists(clip))
        {
            await AddFaceApiSampleAsync(server, ct);
            return;
        }
        var all = EnrollCommand.Scan(faces);
        foreach (var name in DemoCommand.DemoPeople.Where(all.ContainsKey))
        {
            try
            {
                var r = await server.EnrollAsync(name, all[name], ct);
                Console.WriteLine($"sample: enrolled {name} ({r.GetProperty("photos_total")} photos)");
            }
            catch (UserException ex) when (ex.Message.StartsWith("server: 422", StringComparison.Ordinal))
            {
                // the enrolment check found photos that do not look like the others: say so, the sample goes on without them
                Console.WriteLine($"sample: {name} not enrolled: {ex.Message}");
            }
        }
        await server.PutJsonAsync("api/cameras/sample", new { url = clip, fps = 4, name = "Sample stage (Hamilton clip, looping)" }, ct);
        Console.WriteLine("sample: camera 'sample' added; watch with ./videoface events --follow");
    }

    /// <summary>
    /// Without ../shared/data: the slideshow of @vladmandic/face-api's MIT group photos that scripts/make-sample.sh makes.
    /// Nobody is enrolled, so its faces become unknown identities: name one in the dashboard (People) to see named events.
    /// </summary>
    private static async Task AddFaceApiSampleAsync(ServerClient server, CancellationToken ct)
    {
        var video = Path.Combine(DemoCommand.RepoRoot(), "artifacts", "sample", "sample-camera.mp4");
        if (!File.Exists(video))
        {
            Console.WriteLine($"sample: {video} not found (scripts/make-sample.sh makes it); add cameras and people yourself");
            return;
        }
        await server.PutJsonAsync("api/cameras/sample", new { url = video, fps = 4, name = "Sample (face-api group photos, looping)" }, ct);
        Console.WriteLine("sample: camera 'sample' added (group photos from @vladmandic/face-api); its faces appear as unknown identities");
    }
}
