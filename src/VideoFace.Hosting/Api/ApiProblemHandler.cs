using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoFace.Vision.Imaging;

namespace VideoFace.Hosting.Api;

/// <summary>
/// The one mapping from a failed request to an RFC 9457 problem body (<c>application/problem+json</c>): refused input
/// (<see cref="ApiProblemException"/>), a photo that is not an image, an unreadable body or form, and — for anything
/// unexpected — a 500 that names the trace id and nothing of the server's internals. Every problem body also carries
/// <c>error</c> (the detail), the field clients read before problem details.
/// </summary>
public sealed partial class ApiProblemHandler(IProblemDetailsService problems, ILogger<ApiProblemHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, detail, extensions) = Classify(exception);
        if (status >= 500) LogUnexpected(logger, http.Request.Method, http.Request.Path.Value, exception);
        if (http.Response.HasStarted) return true;
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Detail = detail };
        foreach (var (k, v) in extensions) problem.Extensions[k] = v;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Status, client-facing message and extra members for an exception.</summary>
    public static (int Status, string Detail, IReadOnlyDictionary<string, object?> Extensions) Classify(Exception ex)
    {
        var none = new Dictionary<string, object?>();
        return ex switch
        {
            ApiProblemException p => (p.Status, p.Message, p.Extensions),
            InvalidImageException i => (400, $"not a usable image: {i.Message}", none),
            BadHttpRequestException b when b.InnerException is JsonException j =>
                (b.StatusCode, $"the body is not valid JSON for this request: {j.Message}", none),
            BadHttpRequestException b => (b.StatusCode, b.Message, none),
            JsonException j => (400, $"the body is not valid JSON for this request: {j.Message}", none),
            InvalidDataException d => (d.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? 413 : 400, $"the form could not be read: {d.Message}", none),
            _ => (500, "an unexpected error occurred; the server logged it under this request's trace id", none),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, string method, string? path, Exception exception);
}

/// <summary>Registers and uses <see cref="ApiProblemHandler"/>.</summary>
public static class ApiProblems
{
    /// <summary>Problem bodies for every API error: exceptions, and bare statuses (an unknown route, a wrong method).</summary>
    public static IServiceCollection AddVideoFaceProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            var p = c.ProblemDetails;
            var request = c.HttpContext.Request;
            p.Instance ??= request.Path;
            // bare statuses (no route, wrong method) get a sentence too, so every problem body says what went wrong
            p.Detail ??= p.Status switch
            {
                404 => $"nothing at {request.Method} {request.Path}",
                405 => $"{request.Method} is not allowed on {request.Path}",
                415 => $"{request.Method} {request.Path} does not accept {(string.IsNullOrEmpty(request.ContentType) ? "a body without a content type" : request.ContentType)}",
                _ => p.Title,
            };
            p.Extensions["error"] = p.Detail;
        });
        services.AddExceptionHandler<ApiProblemHandler>();
        // a body a handler parameter cannot bind is an exception here (then a problem body), not a bare 400
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>The exception handler and problem bodies for bare error statuses; first in the pipeline.</summary>
    public static IApplicationBuilder UseVideoFaceProblems(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
