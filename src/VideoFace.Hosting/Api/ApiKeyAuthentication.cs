using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace VideoFace.Hosting.Api;

/// <summary>Endpoint metadata: the role an endpoint needs (endpoints without it need <see cref="ApiRole.Viewer"/>).</summary>
public sealed record RequiredRole(ApiRole Role);

/// <summary>
/// Requires a valid API key on /api/* (header X-Api-Key, "Authorization: Bearer KEY", or ?api_key= for EventSource) and the
/// role the endpoint asks for: 401 without a valid key, 403 naming the missing role, both as problem bodies.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>Where the request's key match is kept for handlers (GET /api/me).</summary>
    public const string MatchItem = "videoface.api-key";

    /// <summary>Marks endpoints as admin-only (cameras, enrolment, rules, erase, merge, keys).</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(ApiRole.Admin));

    /// <summary>The key match of this request (admin when the API runs without keys).</summary>
    public static ApiKeyMatch? KeyOf(HttpContext http) => http.Items[MatchItem] as ApiKeyMatch;

    public static IApplicationBuilder UseVideoFaceApiKeys(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var keys = context.RequestServices.GetRequiredService<ApiKeys>();
        if (!context.Request.Path.StartsWithSegments("/api") || IsSignedBlobRequest(context))
        {
            await next(context);
            return;
        }
        if (!keys.Enabled)
        {
            context.Items[MatchItem] = new ApiKeyMatch("anonymous", ApiRole.Admin);
            await next(context);
            return;
        }
        string? presented = context.Request.Headers[ApiKeys.HeaderName].FirstOrDefault();
        var auth = context.Request.Headers.Authorization.FirstOrDefault();
        if (presented is null && auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = auth[7..].Trim();
        presented ??= context.Request.Query["api_key"].FirstOrDefault();
        if (keys.Find(presented) is not { } match)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, presented is null
                ? $"an API key is required: send the {ApiKeys.HeaderName} header (the embedded server's key is in its data folder, file '{ApiKeys.FileName}')"
                : "the API key is not valid");
            return;
        }
        var needed = context.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>()?.Role ?? ApiRole.Viewer;
        if (match.Role < needed)
        {
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden,
                $"this needs the {needed.ToString().ToLowerInvariant()} role; the key '{match.Id}' has the {match.Role.ToString().ToLowerInvariant()} role");
            return;
        }
        context.Items[MatchItem] = match;
        await next(context);
    });

    private static async Task WriteProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = new ProblemDetails { Status = status, Detail = detail } });
    }

    /// <summary>Blob reads carrying a signature are authorised by it instead of a key (so thumbnails work in &lt;img&gt;).</summary>
    private static bool IsSignedBlobRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api/blobs") && context.Request.Query.ContainsKey("sig");
}
