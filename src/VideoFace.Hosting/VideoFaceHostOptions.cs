namespace VideoFace.Hosting;

/// <summary>Which set of infrastructure a silo uses.</summary>
public enum HostingProfile
{
    /// <summary>One machine: localhost clustering, SQLite grain state and reminders, in-memory streams, local blobs.</summary>
    Embedded,

    /// <summary>Many machines: Azure Table clustering, Azure Table grain state and reminders, Azure Queue streams (Azurite locally).</summary>
    Cluster,
}

/// <summary>Silo host settings (configuration section "VideoFace"; environment variables VideoFace__Key).</summary>
public sealed class VideoFaceHostOptions
{
    public const string SectionName = "VideoFace";

    public HostingProfile Profile { get; set; } = HostingProfile.Embedded;

    /// <summary>Folder for the SQLite state file, blobs and the local API key (embedded profile).</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Stable silo name (pins per-device inference grains); defaults to the machine name plus the silo port.</summary>
    public string? SiloName { get; set; }

    /// <summary>Inference devices this silo offers: "cpu", "gpu:0,gpu:1", or "" for none (API-only silo).</summary>
    public string Devices { get; set; } = "cpu";

    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>HTTP API port (0 = no HTTP API on this silo).</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Address the HTTP API listens on.</summary>
    public string HttpHost { get; set; } = "127.0.0.1";

    public string ClusterId { get; set; } = "videoface";
    public string ServiceId { get; set; } = "videoface";

    /// <summary>Azure Storage connection string of the cluster profile (Azurite: "UseDevelopmentStorage=true" or its full form).</summary>
    public string? AzureStorageConnectionString { get; set; }

    /// <summary>
    /// Certificate for HTTPS: a PKCS#12 file (.pfx/.p12), or a PEM certificate with its key in
    /// <see cref="HttpsCertificateKeyPath"/>. When set, the HTTP API and dashboard are served over HTTPS only.
    /// </summary>
    public string? HttpsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="HttpsCertificatePath"/> (PEM certificates only).</summary>
    public string? HttpsCertificateKeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file or the encrypted PEM key (environment variable VideoFace__HttpsCertificatePassword).</summary>
    public string? HttpsCertificatePassword { get; set; }

    /// <summary>API keys accepted on /api (VideoFace:ApiKeys:0, …). Embedded: when empty, a key is generated into DATA/api-key.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Serve the API without keys. Only allowed when it listens on loopback (for tests and local tools).</summary>
    public bool AllowAnonymousApi { get; set; }

    /// <summary>Log Orleans, Polly and ASP.NET Core internals (Information and Debug); by default they log at Warning only.</summary>
    public bool Verbose { get; set; }

    /// <summary>
    /// How often an enabled camera's reminder ticks: it bounds how long a camera stays down after its silo died or the
    /// host restarted (plus Orleans' silo-death detection), and keeps the camera's activation from idle collection.
    /// </summary>
    public TimeSpan CameraReminderPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long face data is kept: sightings in the vector index, thumbnails and keyframes, and identity history entries
    /// that ended longer ago are deleted by a periodic sweep. Zero keeps everything.
    /// </summary>
    public TimeSpan SightingRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the retention sweep runs.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        string K(string key) => $"{SectionName}:{key}";
        if (!Enum.IsDefined(Profile)) e.Add($"{K(nameof(Profile))} must be Embedded or Cluster (was {Profile})");
        if (Profile == HostingProfile.Embedded && string.IsNullOrWhiteSpace(DataDirectory)) e.Add($"{K(nameof(DataDirectory))} is required");
        if (Profile == HostingProfile.Cluster && string.IsNullOrWhiteSpace(AzureStorageConnectionString))
            e.Add($"{K(nameof(AzureStorageConnectionString))} is required for the Cluster profile");
        foreach (var (name, port) in new[] { (nameof(SiloPort), SiloPort), (nameof(GatewayPort), GatewayPort) })
            if (port is < 1 or > 65535) e.Add($"{K(name)} must be a TCP port 1-65535 (was {port})");
        if (HttpPort is < 0 or > 65535) e.Add($"{K(nameof(HttpPort))} must be 0 (off) or a TCP port (was {HttpPort})");
        foreach (var d in Devices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!(d == "cpu" || System.Text.RegularExpressions.Regex.IsMatch(d, @"^(gpu|cuda|trt|tensorrt):\d+$")))
                e.Add($"{K(nameof(Devices))}: unknown device '{d}' (use cpu, gpu:N or trt:N)");
        if (AllowAnonymousApi && HttpPort > 0 && !(HttpHost is "127.0.0.1" or "localhost" or "::1"))
            e.Add($"{K(nameof(AllowAnonymousApi))} is only allowed when {K(nameof(HttpHost))} is loopback (was {HttpHost})");
        if (Profile == HostingProfile.Cluster && HttpPort > 0 && ApiKeys.Count == 0 && !AllowAnonymousApi)
            e.Add($"{K(nameof(ApiKeys))}: the Cluster profile needs at least one API key for its HTTP API");
        if (!string.IsNullOrWhiteSpace(HttpsCertificatePath) && !File.Exists(HttpsCertificatePath))
            e.Add($"{K(nameof(HttpsCertificatePath))}: no file at {HttpsCertificatePath}");
        if (!string.IsNullOrWhiteSpace(HttpsCertificateKeyPath) && !File.Exists(HttpsCertificateKeyPath))
            e.Add($"{K(nameof(HttpsCertificateKeyPath))}: no file at {HttpsCertificateKeyPath}");
        if (!string.IsNullOrWhiteSpace(HttpsCertificateKeyPath) && string.IsNullOrWhiteSpace(HttpsCertificatePath))
            e.Add($"{K(nameof(HttpsCertificateKeyPath))} needs {K(nameof(HttpsCertificatePath))}");
        // a tick is a call to the camera's activation: far below Orleans' idle collection age (15 min), it keeps it active
        if (CameraReminderPeriod < TimeSpan.FromSeconds(1) || CameraReminderPeriod > TimeSpan.FromMinutes(5))
            e.Add($"{K(nameof(CameraReminderPeriod))} must be between 1 s and 5 min (was {CameraReminderPeriod})");
        if (SightingRetention < TimeSpan.Zero) e.Add($"{K(nameof(SightingRetention))} must be zero (keep everything) or positive (was {SightingRetention})");
        if (SightingRetention > TimeSpan.Zero && SightingRetention < TimeSpan.FromMinutes(1))
            e.Add($"{K(nameof(SightingRetention))} must be at least one minute (was {SightingRetention})");
        if (RetentionSweepInterval < TimeSpan.FromSeconds(1)) e.Add($"{K(nameof(RetentionSweepInterval))} must be at least 1 s");
        return e;
    }

    public IReadOnlyList<string> DeviceList =>
        Devices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string EffectiveSiloName => string.IsNullOrWhiteSpace(SiloName) ? $"{Environment.MachineName}-{SiloPort}" : SiloName!;
}
