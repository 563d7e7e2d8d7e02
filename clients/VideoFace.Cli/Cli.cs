using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using VideoFace.Vision;
using VideoFace.Vision.Imaging;
using VideoFace.Vision.Onnx;

namespace VideoFace.Cli;

/// <summary>Shared plumbing of the commands: error reporting, JSON output, logging and the analyzer.</summary>
internal static class Cli
{
    /// <summary>snake_case JSON, as every `--json` output of the CLI uses.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            Console.Error.WriteLine("error: " + message);
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    /// <summary>A one-line message for errors the user can fix; null for bugs (which then surface with a stack trace).</summary>
    private static string? Describe(Exception ex) => ex switch
    {
        ModelLoadException or InvalidImageException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException => ex.Message,
        ArgumentException or IOException or UnauthorizedAccessException or UserException => ex.Message,
        _ => null,
    };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static ILoggerFactory Loggers(ParseResult pr) => LoggerFactory.Create(b =>
    {
        b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        b.AddFilter((_, level) => level >= (pr.GetValue(GlobalOptions.Verbose) ? LogLevel.Information : LogLevel.Warning));
    });

    public static FaceAnalyzer Analyzer(ParseResult pr, ILoggerFactory loggers) => FaceAnalyzer.Create(GlobalOptions.Vision(pr), loggers);

    /// <summary>Whether human output may use colours and live progress.</summary>
    public static bool Interactive(ParseResult pr) => !pr.GetValue(GlobalOptions.Json) && !Console.IsOutputRedirected;

    public static IAnsiConsole Out => AnsiConsole.Console;
}

/// <summary>An error caused by the user's input, reported without a stack trace.</summary>
internal sealed class UserException(string message) : Exception(message);
