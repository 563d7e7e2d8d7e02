using System.Diagnostics;
using System.Text.Json;

namespace VideoFace.Cli.Tests;

/// <summary>Runs the real `videoface` program (built beside the tests) in a child process, with its own data folder.</summary>
public sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Work = Directory.CreateTempSubdirectory("vf-cli-").FullName;
        Data = Path.Combine(Work, "data");
    }

    /// <summary>Scratch folder of this test class, removed at the end.</summary>
    public string Work { get; }

    public string Data { get; }

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Faces => Path.Combine(Shared, "data", "faces-dev");

    public static string[] Photos(string person) => Directory.GetFiles(Path.Combine(Faces, person)).Order(StringComparer.Ordinal).ToArray();

    public record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    public Result Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "videoface.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--data");
        psi.ArgumentList.Add(Data);
        if (!args.Contains("--models"))
        {
            psi.ArgumentList.Add("--models");
            psi.ArgumentList.Add(Path.Combine(RepoRoot, "models"));
        }
        psi.ArgumentList.Add("--device");
        psi.ArgumentList.Add("cpu");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("videoface " + string.Join(' ', args) + " did not finish in 5 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { }
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VideoFace.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
